import { AwsError } from "../../../contracts.js";
import { containerArn, containerInstanceArn, newTaskId, taskArn } from "./arns.js";
import { addEvent, findCluster, lookUp, type ModelContext, nowSeconds, stateOf } from "./context.js";
import { eventMessages } from "./events.js";
import type {
  ContainerRecord,
  Failure,
  NetworkBinding,
  ServiceRecord,
  StopCode,
  TaskDefinitionRecord,
  TaskRecord,
  TaskStatus,
  TaskTarget,
} from "./types.js";
import { invalid } from "./validation.js";

// Task records and their lifecycle. The scheduler drives the transitions as the runtime reports
// them; the API only ever asks for a stop (desiredStatus STOPPED).

export function newTask(
  ctx: ModelContext,
  td: TaskDefinitionRecord,
  clusterArn: string,
  owner?: { service: ServiceRecord; deploymentId: string },
): TaskRecord {
  const taskId = newTaskId();
  const clusterName = clusterArn.slice(clusterArn.lastIndexOf("/") + 1);
  const state = stateOf(ctx);
  const containers: ContainerRecord[] = td.containerDefinitions.map((c) => ({
    containerArn: containerArn(ctx.partition, clusterName, taskId, c.name),
    name: c.name,
    image: c.image,
    lastStatus: "PENDING",
    networkBindings: [],
    healthStatus: "UNKNOWN",
    essential: c.essential,
    ...(c.memory !== undefined ? { memory: c.memory } : {}),
    ...(c.memoryReservation !== undefined ? { memoryReservation: c.memoryReservation } : {}),
    ...(c.cpu !== undefined ? { cpu: c.cpu } : {}),
  }));
  const task: TaskRecord = {
    taskArn: taskArn(ctx.partition, clusterName, taskId),
    taskId,
    clusterArn,
    taskDefinitionArn: td.taskDefinitionArn,
    containerInstanceArn: containerInstanceArn(ctx.partition, clusterName, state.containerInstanceId),
    group: owner ? `service:${owner.service.serviceName}` : `family:${td.family}`,
    ...(owner
      ? {
          startedBy: owner.deploymentId,
          serviceName: owner.service.serviceName,
          deploymentId: owner.deploymentId,
        }
      : {}),
    lastStatus: "PROVISIONING",
    desiredStatus: "RUNNING",
    healthStatus: "UNKNOWN",
    createdAt: nowSeconds(ctx),
    containers,
    ...(td.cpu ? { cpu: td.cpu } : {}),
    ...(td.memory ? { memory: td.memory } : {}),
    launchType: "EC2",
    version: 1,
    targets: [],
  };
  state.tasks[task.taskArn] = task;
  return task;
}

export function findTask(ctx: ModelContext, arn: string): TaskRecord | undefined {
  return stateOf(ctx).tasks[arn];
}

/** A task by ARN or id within a cluster, for StopTask/DescribeTasks. */
export function findTaskInCluster(
  ctx: ModelContext,
  clusterArn: string,
  ref: string,
): TaskRecord | undefined {
  const id = ref.startsWith("arn:") ? ref.slice(ref.lastIndexOf("/") + 1) : ref;
  return Object.values(stateOf(ctx).tasks).find((t) => t.clusterArn === clusterArn && t.taskId === id);
}

function transition(task: TaskRecord, status: TaskStatus): void {
  task.lastStatus = status;
  task.version += 1;
}

export function markPending(ctx: ModelContext, task: TaskRecord): void {
  transition(task, "PENDING");
  task.pullStartedAt = nowSeconds(ctx);
}

export interface StartedContainer {
  name: string;
  imageDigest?: string;
  pid: number;
  pidStartTicks?: number;
  networkBindings: NetworkBinding[];
}

export function markActivating(ctx: ModelContext, task: TaskRecord, started: StartedContainer[]): void {
  task.pullStoppedAt = nowSeconds(ctx);
  for (const s of started) {
    const container = task.containers.find((c) => c.name === s.name);
    if (!container) continue;
    container.lastStatus = "RUNNING";
    container.pid = s.pid;
    if (s.pidStartTicks !== undefined) container.pidStartTicks = s.pidStartTicks;
    if (s.imageDigest) container.imageDigest = s.imageDigest;
    container.networkBindings = s.networkBindings;
  }
  transition(task, "ACTIVATING");
}

export function markRunning(ctx: ModelContext, task: TaskRecord, targets: TaskTarget[]): void {
  task.targets = targets;
  task.startedAt = nowSeconds(ctx);
  transition(task, "RUNNING");
  const service = serviceOf(ctx, task);
  if (!service) return;
  const registeredIn = new Map<string, number>();
  for (const t of targets) registeredIn.set(t.targetGroupArn, (registeredIn.get(t.targetGroupArn) ?? 0) + 1);
  for (const [tg, count] of registeredIn) {
    addEvent(ctx, service, eventMessages.registeredTargets(service.serviceName, count, tg));
  }
}

/** Asks for a task to stop; the scheduler then drains, signals and records it. */
export function requestStop(
  ctx: ModelContext,
  task: TaskRecord,
  reason: string,
  stopCode: StopCode,
): boolean {
  if (task.desiredStatus === "STOPPED") return false;
  task.desiredStatus = "STOPPED";
  task.stoppedReason = reason;
  task.stopCode = stopCode;
  task.stoppingAt = nowSeconds(ctx);
  task.version += 1;
  countFailure(ctx, task);
  return true;
}

export function markDeactivating(task: TaskRecord): void {
  transition(task, "DEACTIVATING");
}

export function markStopping(task: TaskRecord): void {
  transition(task, "STOPPING");
}

export function markDeprovisioning(task: TaskRecord): void {
  transition(task, "DEPROVISIONING");
}

export interface ContainerExit {
  name: string;
  exitCode?: number;
  reason?: string;
}

/** A container's process ended. An essential container ending stops the task, as on ECS. */
export function containerExited(ctx: ModelContext, task: TaskRecord, exit: ContainerExit): void {
  const container = task.containers.find((c) => c.name === exit.name);
  if (!container || container.lastStatus === "STOPPED") return;
  container.lastStatus = "STOPPED";
  if (exit.exitCode !== undefined) container.exitCode = exit.exitCode;
  if (exit.reason !== undefined) container.reason = exit.reason;
  task.version += 1;
  if (container.essential && task.desiredStatus === "RUNNING") {
    // An out-of-memory kill is the task's reason too (ECS shows it on the container; users look at the task).
    const reason = exit.reason?.startsWith("OutOfMemoryError")
      ? exit.reason
      : "Essential container in task exited";
    requestStop(ctx, task, reason, "EssentialContainerExited");
  }
}

/** The task could not start (image, secrets, ports): it goes straight to STOPPED. */
export function failedToStart(ctx: ModelContext, task: TaskRecord, reason: string): void {
  task.desiredStatus = "STOPPED";
  task.stoppedReason = reason;
  task.stopCode = "TaskFailedToStart";
  task.stoppingAt = nowSeconds(ctx);
  for (const c of task.containers) if (c.lastStatus !== "STOPPED") c.lastStatus = "STOPPED";
  countFailure(ctx, task);
  markStopped(ctx, task);
  const service = serviceOf(ctx, task);
  if (service) addEvent(ctx, service, eventMessages.failedToLaunch(service.serviceName, reason));
}

export function markStopped(ctx: ModelContext, task: TaskRecord): void {
  if (task.lastStatus === "STOPPED") return;
  for (const c of task.containers) {
    if (c.lastStatus !== "STOPPED") c.lastStatus = "STOPPED";
  }
  task.stoppedAt = nowSeconds(ctx);
  task.healthStatus = "UNKNOWN";
  transition(task, "STOPPED");
}

/**
 * Tasks that fail to start, exit, or fail health checks count against their deployment's circuit
 * breaker, as soon as the failure is known (not when the task has finished stopping), so the
 * scheduler's launch backoff applies to the very next launch.
 */
function countFailure(ctx: ModelContext, task: TaskRecord): void {
  const service = serviceOf(ctx, task);
  const deployment = service?.deployments.find((d) => d.id === task.deploymentId);
  if (deployment?.rolloutState !== "IN_PROGRESS" || deployment.status !== "PRIMARY") return;
  const failed =
    task.stopCode === "TaskFailedToStart" ||
    task.stopCode === "EssentialContainerExited" ||
    (task.stoppedReason ?? "").startsWith("Task failed ELB health checks");
  if (!failed) return;
  deployment.failedTasks += 1;
  deployment.lastFailureAt = nowSeconds(ctx);
}

export function serviceOf(ctx: ModelContext, task: TaskRecord): ServiceRecord | undefined {
  if (!task.serviceName) return undefined;
  return Object.values(stateOf(ctx).services).find(
    (s) => s.clusterArn === task.clusterArn && s.serviceName === task.serviceName && s.status !== "INACTIVE",
  );
}

/** A target's health changed in ELBv2: mirror it on the task that owns the host port. */
export function targetHealthChanged(
  ctx: ModelContext,
  targetGroupArn: string,
  port: number,
  targetState: string,
): TaskRecord | undefined {
  for (const task of Object.values(stateOf(ctx).tasks)) {
    if (task.lastStatus === "STOPPED") continue;
    const target = task.targets.find((t) => t.targetGroupArn === targetGroupArn && t.hostPort === port);
    if (!target) continue;
    target.state = targetState;
    task.healthStatus = task.targets.every((t) => t.state === "healthy")
      ? "HEALTHY"
      : task.targets.some((t) => t.state === "unhealthy")
        ? "UNHEALTHY"
        : "UNKNOWN";
    return task;
  }
  return undefined;
}

// --- the API side ------------------------------------------------------------------------

export interface ListTasksFilter {
  cluster?: string | undefined;
  serviceName?: string | undefined;
  family?: string | undefined;
  startedBy?: string | undefined;
  desiredStatus?: string | undefined;
}

export function listTasks(ctx: ModelContext, filter: ListTasksFilter): string[] {
  const cluster = findCluster(ctx, filter.cluster);
  const desired = filter.desiredStatus ?? "RUNNING";
  if (!["RUNNING", "PENDING", "STOPPED"].includes(desired)) {
    throw invalid("desiredStatus must be RUNNING, PENDING or STOPPED.");
  }
  if (filter.serviceName) {
    const name = filter.serviceName.slice(filter.serviceName.lastIndexOf("/") + 1);
    const exists = Object.values(stateOf(ctx).services).some(
      (s) => s.clusterArn === cluster.clusterArn && s.serviceName === name,
    );
    if (!exists) throw new AwsError("ServiceNotFoundException", "Service not found.");
  }
  const serviceName = filter.serviceName?.slice(filter.serviceName.lastIndexOf("/") + 1);
  return Object.values(stateOf(ctx).tasks)
    .filter((t) => t.clusterArn === cluster.clusterArn)
    .filter((t) => (desired === "STOPPED" ? t.desiredStatus === "STOPPED" : t.desiredStatus === "RUNNING"))
    .filter((t) => desired !== "PENDING" || t.lastStatus !== "RUNNING")
    .filter((t) => serviceName === undefined || t.serviceName === serviceName)
    .filter(
      (t) => filter.family === undefined || t.taskDefinitionArn.includes(`task-definition/${filter.family}:`),
    )
    .filter((t) => filter.startedBy === undefined || t.startedBy === filter.startedBy)
    .sort((a, b) => a.createdAt - b.createdAt)
    .map((t) => t.taskArn);
}

/** DescribeTasks: the tasks found in the cluster, by ARN or id, and a MISSING failure for the others. */
export function describeTasks(
  ctx: ModelContext,
  clusterRef: string | undefined,
  refs: string[],
): { tasks: TaskRecord[]; failures: Failure[] } {
  const cluster = findCluster(ctx, clusterRef);
  const { found, failures } = lookUp(refs, (ref) => findTaskInCluster(ctx, cluster.clusterArn, ref));
  return { tasks: found, failures };
}

export function stopTaskRequest(
  ctx: ModelContext,
  clusterRef: string | undefined,
  ref: string | undefined,
  reason: string | undefined,
): TaskRecord {
  const cluster = findCluster(ctx, clusterRef);
  if (!ref) throw invalid("task must be a non-empty string.");
  if (reason !== undefined && reason.length > 255) {
    throw invalid("reason must be a string of at most 255 characters.");
  }
  const task = findTaskInCluster(ctx, cluster.clusterArn, ref);
  if (!task) throw invalid("The referenced task was not found.");
  requestStop(ctx, task, reason || "Task stopped by user", "UserInitiated");
  return task;
}
