import { type AlarmStates, AwsError, type ListenerRules } from "../../../contracts.js";
import { containerInstanceArn, type Partition } from "./arns.js";
import { afterRestart, type ContinueInput, continueServiceDeployment } from "./blue-green.js";
import { clusterStats, createCluster, deleteCluster, describeClusters, listClusters } from "./clusters.js";
import type { ModelContext } from "./context.js";
import { addEvent, findCluster, findTaskDefinition, stateOf } from "./context.js";
import { NO_ALARMS } from "./deployment-alarms.js";
import { reconcileService, serviceCounts } from "./scheduling.js";
import {
  describeServiceDeployments,
  describeServiceRevisions,
  type ListServiceDeploymentsInput,
  listServiceDeployments,
  type StopServiceDeploymentInput,
  serviceDeploymentProgress,
  stopServiceDeployment,
} from "./service-deployments.js";
import {
  type CreateServiceInput,
  createService,
  type DeleteServiceInput,
  deleteService,
  describeServices,
  listServices,
  type TargetGroupCheck,
  type UpdateServiceInput,
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
import type {
  ClusterRecord,
  EcsState,
  ServiceDeploymentRecord,
  ServiceRecord,
  Tag,
  TaskRecord,
} from "./types.js";

/** A region without ELBv2 rules (unit tests of the rolling rules): any rule is unknown. */
const NO_LISTENER_RULES: ListenerRules = {
  describe: (arn) => {
    throw new AwsError("RuleNotFound", `Rule '${arn}' not found`);
  },
  setWeights: (arn) => {
    throw new AwsError("RuleNotFound", `Rule '${arn}' not found`);
  },
};

/** The one local container instance, as ListContainerInstances and DescribeContainerInstances see it. */
export interface ContainerInstance {
  arn: string;
  ec2InstanceId: string;
  runningTasksCount: number;
  pendingTasksCount: number;
  registeredAt: number;
}

/**
 * The ECS model: every operation on ECS's state, in memory only. Pure rules live in rollout.ts;
 * this class only sequences. API requests are committed by responses.ts; what the runtime reports
 * (task transitions, scheduler passes) is announced to onRuntimeChange listeners, which commit it.
 */
export class EcsModel {
  readonly ctx: ModelContext;
  private readonly runtimeListeners = new Set<() => void>();

  /** `store` holds the state (a Durable in the region, a plain holder in tests); it is only read. */
  constructor(
    store: { readonly state: EcsState },
    partition: Partition,
    clock: () => number = Date.now,
    alarms: AlarmStates = NO_ALARMS,
    options: { traffic?: ListenerRules; maxBakeSeconds?: number | undefined } = {},
  ) {
    this.ctx = {
      state: store.state,
      partition,
      clock,
      alarms,
      traffic: options.traffic ?? NO_LISTENER_RULES,
      maxBakeSeconds: options.maxBakeSeconds,
    };
  }

  get state(): EcsState {
    return stateOf(this.ctx);
  }

  /** Hears of each change the runtime reported, once it is made; returns an unsubscribe function. */
  onRuntimeChange(listener: () => void): () => void {
    this.runtimeListeners.add(listener);
    return () => this.runtimeListeners.delete(listener);
  }

  createCluster = (name: string | undefined, tags: Tag[]) => createCluster(this.ctx, name, tags);
  deleteCluster = (ref: string | undefined) => deleteCluster(this.ctx, ref);
  findCluster = (ref: string | undefined) => findCluster(this.ctx, ref);
  describeClusters = (refs: string[]) => describeClusters(this.ctx, refs);
  listClusters = () => listClusters(this.ctx);
  clusterStats = (cluster: ClusterRecord) => clusterStats(this.ctx, cluster);

  registerTaskDefinition = (input: TaskDefinitionInput, tags: Tag[]) =>
    registerTaskDefinition(this.ctx, input, tags);
  deregisterTaskDefinition = (ref: string | undefined) => deregisterTaskDefinition(this.ctx, ref);
  findTaskDefinition = (ref: string | undefined) => findTaskDefinition(this.ctx, ref);
  listTaskDefinitions = (filter: ListTaskDefinitionsFilter) => listTaskDefinitions(this.ctx, filter);
  listTaskDefinitionFamilies = (prefix: string | undefined, status: "ACTIVE" | "INACTIVE" | "ALL") =>
    listTaskDefinitionFamilies(this.ctx, prefix, status);

  createService = (input: CreateServiceInput, tags: Tag[], tgExists: TargetGroupCheck) =>
    createService(this.ctx, input, tags, tgExists);
  updateService = (input: UpdateServiceInput, tgExists: TargetGroupCheck) =>
    updateService(this.ctx, input, tgExists);
  deleteService = (input: DeleteServiceInput) => deleteService(this.ctx, input);
  describeServices = (cluster: string | undefined, refs: string[]) =>
    describeServices(this.ctx, cluster, refs);
  listServices = (cluster: string | undefined) => listServices(this.ctx, cluster);
  /** Running and pending tasks of a service (those meant to run). */
  serviceCounts = (service: ServiceRecord) => serviceCounts(this.ctx, service);

  listTasks = (filter: tasks.ListTasksFilter) => tasks.listTasks(this.ctx, filter);
  describeTasks = (cluster: string | undefined, refs: string[]) =>
    tasks.describeTasks(this.ctx, cluster, refs);
  findTaskInCluster = (clusterArn: string, ref: string) => tasks.findTaskInCluster(this.ctx, clusterArn, ref);
  stopTask = (cluster: string | undefined, task: string | undefined, reason?: string | undefined) =>
    tasks.stopTaskRequest(this.ctx, cluster, task, reason);

  listServiceDeployments = (input: ListServiceDeploymentsInput) => listServiceDeployments(this.ctx, input);
  describeServiceDeployments = (arns: string[]) => describeServiceDeployments(this.ctx, arns);
  serviceDeploymentProgress = (sd: ServiceDeploymentRecord) => serviceDeploymentProgress(this.ctx, sd);
  stopServiceDeployment = (input: StopServiceDeploymentInput) => stopServiceDeployment(this.ctx, input);
  continueServiceDeployment = (input: ContinueInput) => continueServiceDeployment(this.ctx, input);
  describeServiceRevisions = (arns: string[]) => describeServiceRevisions(this.ctx, arns);

  tagResource = (arn: string | undefined, tags: Tag[]) =>
    setTags(this.ctx, checkTaggable(this.ctx, arn), tags);
  untagResource = (arn: string | undefined, keys: string[]) =>
    removeTags(this.ctx, checkTaggable(this.ctx, arn), keys);
  /** ListTagsForResource: the tags of a resource that exists. */
  tagsOf = (arn: string | undefined) => tagsOf(this.ctx, checkTaggable(this.ctx, arn));
  /** The tags recorded for an ARN, as Describe operations show them. */
  tagsRecorded = (arn: string) => tagsOf(this.ctx, arn);

  containerInstance(clusterRef: string | undefined): ContainerInstance {
    const cluster = findCluster(this.ctx, clusterRef);
    const live = this.liveTasks().filter((t) => t.clusterArn === cluster.clusterArn);
    const running = live.filter((t) => t.lastStatus === "RUNNING").length;
    return {
      arn: containerInstanceArn(this.ctx.partition, cluster.clusterName, this.state.containerInstanceId),
      ec2InstanceId: this.state.containerInstanceId,
      runningTasksCount: running,
      pendingTasksCount: live.length - running,
      registeredAt: this.state.containerInstanceRegisteredAt,
    };
  }

  // --- what the scheduler uses ----------------------------------------------------------

  services(): ServiceRecord[] {
    return Object.values(this.state.services).filter((s) => s.status !== "INACTIVE");
  }

  /** One scheduler pass over every service; returns the tasks to launch. Announces only a change. */
  reconcile(): TaskRecord[] {
    const before = JSON.stringify(this.state.services);
    const created = this.services().flatMap((s) => reconcileService(this.ctx, s));
    if (created.length > 0 || JSON.stringify(this.state.services) !== before) this.runtimeChanged();
    return created;
  }

  /** The region came back with every task gone: open traffic shifts roll back (or finish). */
  regionRestarted(): void {
    this.reported(() => {
      for (const service of this.services()) afterRestart(this.ctx, service);
    });
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
    this.reported(() => {
      for (const t of old) {
        delete this.state.tasks[t.taskArn];
        delete this.state.tags[t.taskArn];
      }
    });
  }

  /** The transitions the scheduler reports as the runtime makes them; each one is announced. */
  readonly lifecycle = {
    pending: (t: TaskRecord) => this.reported(() => tasks.markPending(this.ctx, t)),
    activating: (t: TaskRecord, started: tasks.StartedContainer[]) =>
      this.reported(() => tasks.markActivating(this.ctx, t, started)),
    running: (t: TaskRecord, targets: TaskRecord["targets"]) =>
      this.reported(() => tasks.markRunning(this.ctx, t, targets)),
    failedToStart: (t: TaskRecord, reason: string) =>
      this.reported(() => tasks.failedToStart(this.ctx, t, reason)),
    containerExited: (t: TaskRecord, exit: tasks.ContainerExit) =>
      this.reported(() => tasks.containerExited(this.ctx, t, exit)),
    requestStop: (t: TaskRecord, reason: string, code: TaskRecord["stopCode"] & string) =>
      this.reported(() => tasks.requestStop(this.ctx, t, reason, code)),
    deactivating: (t: TaskRecord) => this.reported(() => tasks.markDeactivating(t)),
    stopping: (t: TaskRecord) => this.reported(() => tasks.markStopping(t)),
    deprovisioning: (t: TaskRecord) => this.reported(() => tasks.markDeprovisioning(t)),
    stopped: (t: TaskRecord) => this.reported(() => tasks.markStopped(this.ctx, t)),
    targetHealth: (targetGroupArn: string, port: number, state: string) =>
      this.reported(() => tasks.targetHealthChanged(this.ctx, targetGroupArn, port, state)),
    event: (service: ServiceRecord, message: string) =>
      this.reported(() => addEvent(this.ctx, service, message)),
  };

  private reported<T>(change: () => T): T {
    const result = change();
    this.runtimeChanged();
    return result;
  }

  private runtimeChanged(): void {
    for (const listener of this.runtimeListeners) listener();
  }
}
