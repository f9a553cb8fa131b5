import type { Durable } from "../../../contracts.js";
import type { Partition } from "./arns.js";
import { createCluster, deleteCluster } from "./clusters.js";
import type { ModelContext } from "./context.js";
import { addEvent, findCluster, findTaskDefinition, stateOf } from "./context.js";
import { reconcileService } from "./scheduling.js";
import { listServiceDeployments, stopServiceDeployment } from "./service-deployments.js";
import {
  createService,
  deleteService,
  describeServices,
  type TargetGroupCheck,
  updateService,
} from "./services.js";
import { checkTaggable, removeTags, setTags, tagsOf } from "./tags.js";
import type { TaskDefinitionInput } from "./task-definition-input.js";
import {
  deregisterTaskDefinition,
  type ListTaskDefinitionsFilter,
  listTaskDefinitionFamilies,
  listTaskDefinitions,
  registerTaskDefinition,
} from "./task-definitions.js";
import * as tasks from "./tasks.js";
import type { EcsState, ServiceRecord, Tag, TaskRecord } from "./types.js";

/**
 * The ECS model: every operation on the durable state, each one committed before it returns so an
 * acknowledged request survives a kill -9. Pure rules live in rollout.ts; this class only sequences.
 */
export class EcsModel {
  readonly ctx: ModelContext;

  constructor(durable: Durable<EcsState>, partition: Partition, clock: () => number = Date.now) {
    this.ctx = { durable, partition, clock };
  }

  get state(): EcsState {
    return stateOf(this.ctx);
  }

  /** Runs a mutation and commits it (also when it throws halfway, nothing half-done is kept in memory only). */
  mutate<T>(change: () => T): T {
    const result = change();
    this.ctx.durable.commit();
    return result;
  }

  createCluster = (name: string | undefined, tags: Tag[]) =>
    this.mutate(() => createCluster(this.ctx, name, tags));
  deleteCluster = (ref: unknown) => this.mutate(() => deleteCluster(this.ctx, ref));
  findCluster = (ref: unknown) => findCluster(this.ctx, ref);

  registerTaskDefinition = (input: TaskDefinitionInput, tags: Tag[]) =>
    this.mutate(() => registerTaskDefinition(this.ctx, input, tags));
  deregisterTaskDefinition = (ref: unknown) => this.mutate(() => deregisterTaskDefinition(this.ctx, ref));
  findTaskDefinition = (ref: unknown) => findTaskDefinition(this.ctx, ref);
  listTaskDefinitions = (filter: ListTaskDefinitionsFilter) => listTaskDefinitions(this.ctx, filter);
  listTaskDefinitionFamilies = (prefix: string | undefined, status: "ACTIVE" | "INACTIVE" | "ALL") =>
    listTaskDefinitionFamilies(this.ctx, prefix, status);

  createService = (input: Record<string, unknown>, tags: Tag[], tgExists: TargetGroupCheck) =>
    this.mutate(() => createService(this.ctx, input, tags, tgExists));
  updateService = (input: Record<string, unknown>, tgExists: TargetGroupCheck) =>
    this.mutate(() => updateService(this.ctx, input, tgExists));
  deleteService = (input: Record<string, unknown>) => this.mutate(() => deleteService(this.ctx, input));
  describeServices = (cluster: unknown, refs: string[]) => describeServices(this.ctx, cluster, refs);

  listTasks = (filter: tasks.ListTasksFilter) => tasks.listTasks(this.ctx, filter);
  findTaskInCluster = (clusterArn: string, ref: string) => tasks.findTaskInCluster(this.ctx, clusterArn, ref);
  stopTask = (cluster: unknown, task: unknown, reason: unknown) =>
    this.mutate(() => tasks.stopTaskRequest(this.ctx, cluster, task, reason));

  listServiceDeployments = (input: Record<string, unknown>) => listServiceDeployments(this.ctx, input);
  stopServiceDeployment = (input: Record<string, unknown>) =>
    this.mutate(() => stopServiceDeployment(this.ctx, input));

  tagResource = (arn: unknown, tags: Tag[]) =>
    this.mutate(() => setTags(this.ctx, checkTaggable(this.ctx, arn), tags));
  untagResource = (arn: unknown, keys: string[]) =>
    this.mutate(() => removeTags(this.ctx, checkTaggable(this.ctx, arn), keys));
  tagsOf = (arn: unknown) => tagsOf(this.ctx, checkTaggable(this.ctx, arn));

  // --- what the scheduler uses ----------------------------------------------------------

  services(): ServiceRecord[] {
    return Object.values(this.state.services).filter((s) => s.status !== "INACTIVE");
  }

  /** One scheduler pass over every service; returns the tasks to launch. Commits only a change. */
  reconcile(): TaskRecord[] {
    const before = JSON.stringify(this.state.services);
    const created = this.services().flatMap((s) => reconcileService(this.ctx, s));
    if (created.length > 0 || JSON.stringify(this.state.services) !== before) this.ctx.durable.commit();
    return created;
  }

  task(arn: string): TaskRecord | undefined {
    return this.state.tasks[arn];
  }

  serviceOf(task: TaskRecord): ServiceRecord | undefined {
    return tasks.serviceOf(this.ctx, task);
  }

  /** Tasks that are not STOPPED yet. */
  liveTasks(): TaskRecord[] {
    return Object.values(this.state.tasks).filter((t) => t.lastStatus !== "STOPPED");
  }

  /** Drops STOPPED tasks older than ECS keeps them visible (about an hour), bounding the state. */
  forgetOldTasks(maxAgeSeconds = 3600): void {
    const cutoff = this.ctx.clock() / 1000 - maxAgeSeconds;
    const old = Object.values(this.state.tasks).filter(
      (t) => t.lastStatus === "STOPPED" && (t.stoppedAt ?? 0) < cutoff,
    );
    if (old.length === 0) return;
    this.mutate(() => {
      for (const t of old) {
        delete this.state.tasks[t.taskArn];
        delete this.state.tags[t.taskArn];
      }
    });
  }

  readonly lifecycle = {
    pending: (t: TaskRecord) => this.mutate(() => tasks.markPending(this.ctx, t)),
    activating: (t: TaskRecord, started: tasks.StartedContainer[]) =>
      this.mutate(() => tasks.markActivating(this.ctx, t, started)),
    running: (t: TaskRecord, targets: TaskRecord["targets"]) =>
      this.mutate(() => tasks.markRunning(this.ctx, t, targets)),
    failedToStart: (t: TaskRecord, reason: string) =>
      this.mutate(() => tasks.failedToStart(this.ctx, t, reason)),
    containerExited: (t: TaskRecord, exit: tasks.ContainerExit) =>
      this.mutate(() => tasks.containerExited(this.ctx, t, exit)),
    requestStop: (t: TaskRecord, reason: string, code: TaskRecord["stopCode"] & string) =>
      this.mutate(() => tasks.requestStop(this.ctx, t, reason, code)),
    deactivating: (t: TaskRecord) => this.mutate(() => tasks.markDeactivating(t)),
    stopping: (t: TaskRecord) => this.mutate(() => tasks.markStopping(t)),
    deprovisioning: (t: TaskRecord) => this.mutate(() => tasks.markDeprovisioning(t)),
    stopped: (t: TaskRecord) => this.mutate(() => tasks.markStopped(this.ctx, t)),
    targetHealth: (targetGroupArn: string, port: number, state: string) =>
      this.mutate(() => tasks.targetHealthChanged(this.ctx, targetGroupArn, port, state)),
    event: (service: ServiceRecord, message: string) =>
      this.mutate(() => addEvent(this.ctx, service, message)),
  };
}
