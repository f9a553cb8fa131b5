import type { AlarmStates } from "../../../contracts.js";
import { bakeDone, NO_ALARMS, triggeredAlarms } from "./deployment-alarms.js";
import type { DeploymentRecord, ServiceRecord, TaskRecord } from "./types.js";

// The service scheduler's rules as pure functions: given a service and its tasks, what to start,
// what to stop, and what the deployments' states become. Nothing here does I/O or keeps state.

export interface ServicePlan {
  /** New tasks to launch for a deployment. */
  start: { deploymentId: string; count: number }[];
  /** Tasks to stop, with ECS's stoppedReason. */
  stop: { taskArn: string; reason: string; unhealthyIn?: string }[];
  /** The primary deployment reached its desired healthy tasks with nothing else left. */
  complete?: string;
  /** The primary deployment tripped the circuit breaker or one of its deployment alarms. */
  fail?: DeploymentFailure;
  /** The primary deployment's tasks alone serve: its bake time starts now. */
  bake?: string;
  /** Deployments (ACTIVE) that have no task left and can go. */
  remove: string[];
  /** One deployment, COMPLETED, desiredCount tasks running and healthy. */
  steady: boolean;
}

export type DeploymentFailure =
  | { deploymentId: string; by: "circuit-breaker"; reason: string }
  | { deploymentId: string; by: "alarms"; reason: string; alarmNames: string[] };

/** ECS's circuit breaker threshold: half the desired count, at least 3, at most 200. */
export function failureThreshold(desiredCount: number): number {
  return Math.min(Math.max(Math.ceil(desiredCount * 0.5), 3), 200);
}

/** Seconds to wait after a deployment's last failed task before launching another (ECS throttles too). */
export function launchBackoffSeconds(failedTasks: number): number {
  return Math.min(failedTasks, 15);
}

/** A task the scheduler counts: it is meant to run (not being stopped). */
export function isLive(task: TaskRecord): boolean {
  return task.desiredStatus === "RUNNING" && task.lastStatus !== "STOPPED";
}

/** RUNNING, and healthy in every target group of its service (ECS's "healthy" for deployments). */
export function isHealthy(task: TaskRecord, service: ServiceRecord): boolean {
  if (task.lastStatus !== "RUNNING" || task.desiredStatus !== "RUNNING") return false;
  if (service.loadBalancers.length === 0) return true;
  return (
    task.targets.length >= service.loadBalancers.length && task.targets.every((t) => t.state === "healthy")
  );
}

/** The target group in which a RUNNING task is unhealthy past the grace period, if any. */
export function failedHealthCheckIn(
  task: TaskRecord,
  service: ServiceRecord,
  now: number,
): string | undefined {
  if (task.lastStatus !== "RUNNING" || task.desiredStatus !== "RUNNING") return undefined;
  const graceEnds = (task.startedAt ?? task.createdAt) + (service.healthCheckGracePeriodSeconds ?? 0);
  if (now < graceEnds) return undefined;
  return task.targets.find((t) => t.state === "unhealthy")?.targetGroupArn;
}

export type StopOrder = ServicePlan["stop"][number];
type Stop = (task: TaskRecord, reason: string, unhealthyIn?: string) => void;

/** Appends stop orders to `orders`, each task once; `stopping` holds the tasks ordered so far. */
export function stopOrders(orders: StopOrder[]): { stopping: Set<string>; stop: Stop } {
  const stopping = new Set<string>();
  const stop: Stop = (task, reason, unhealthyIn) => {
    if (stopping.has(task.taskArn)) return;
    stopping.add(task.taskArn);
    orders.push(
      unhealthyIn ? { taskArn: task.taskArn, reason, unhealthyIn } : { taskArn: task.taskArn, reason },
    );
  };
  return { stopping, stop };
}

/** Every planner first stops the tasks that failed their health checks past the grace period. */
export function stopFailedHealthChecks(
  stop: Stop,
  service: ServiceRecord,
  tasks: TaskRecord[],
  now: number,
): void {
  for (const task of tasks) {
    const tg = failedHealthCheckIn(task, service, now);
    if (tg) stop(task, `Task failed ELB health checks in (target-group ${tg})`, tg);
  }
}

export function planService(
  service: ServiceRecord,
  tasks: TaskRecord[],
  now: number,
  alarms: AlarmStates = NO_ALARMS,
): ServicePlan {
  const plan: ServicePlan = { start: [], stop: [], remove: [], steady: false };
  const primary = service.deployments.find((d) => d.status === "PRIMARY");
  if (!primary) return plan;
  const { stopping, stop } = stopOrders(plan.stop);
  stopFailedHealthChecks(stop, service, tasks, now);
  const live = tasks.filter((t) => isLive(t) && !stopping.has(t.taskArn));
  const primaryLive = live.filter((t) => t.deploymentId === primary.id);
  const oldLive = live.filter((t) => t.deploymentId !== primary.id);
  const desired = service.desiredCount;
  const { maximumPercent, minimumHealthyPercent } = service.deploymentConfiguration;
  const maxTotal = Math.max(Math.floor((desired * maximumPercent) / 100), 1);
  const minHealthy = Math.ceil((desired * minimumHealthyPercent) / 100);
  const scaling = `Scaling activity initiated by (deployment ${primary.id})`;

  // Scale in: the primary has more tasks than desired; the least advanced go first.
  const surplus = primaryLive.length - desired;
  if (surplus > 0) {
    const leastAdvanced = [...primaryLive].sort(
      (a, b) => Number(isHealthy(a, service)) - Number(isHealthy(b, service)),
    );
    for (const t of leastAdvanced.slice(0, surplus)) stop(t, scaling);
  }

  // Old deployments: tasks that aren't serving go at once; serving ones while enough stay healthy.
  let healthy = live.filter((t) => !stopping.has(t.taskArn) && isHealthy(t, service)).length;
  for (const task of oldLive.filter((t) => !isHealthy(t, service))) stop(task, scaling);
  for (const task of oldLive.filter((t) => isHealthy(t, service))) {
    if (healthy - 1 < minHealthy) break;
    healthy -= 1;
    stop(task, scaling);
  }

  const stillLive = live.filter((t) => !stopping.has(t.taskArn)).length;
  const need = desired - primaryLive.filter((t) => !stopping.has(t.taskArn)).length;
  const room = maxTotal - stillLive;
  const count = Math.min(need, room);
  if (count > 0 && !inBackoff(primary, now)) plan.start.push({ deploymentId: primary.id, count });

  decideRollout(plan, service, primary, tasks, now, alarms);
  return plan;
}

/** A deployment whose last task failed waits before it launches another. */
export function inBackoff(deployment: DeploymentRecord, now: number): boolean {
  if (deployment.lastFailureAt === undefined) return false;
  return now < deployment.lastFailureAt + launchBackoffSeconds(deployment.failedTasks);
}

function decideRollout(
  plan: ServicePlan,
  service: ServiceRecord,
  primary: DeploymentRecord,
  tasks: TaskRecord[],
  now: number,
  alarms: AlarmStates,
): void {
  const stopping = new Set(plan.stop.map((s) => s.taskArn));
  const remaining = tasks.filter((t) => t.lastStatus !== "STOPPED");
  const others = remaining.filter((t) => t.deploymentId !== primary.id);
  const primaryServing = remaining.filter(
    (t) => t.deploymentId === primary.id && !stopping.has(t.taskArn) && isHealthy(t, service),
  );
  const primaryLive = remaining.filter(
    (t) => t.deploymentId === primary.id && isLive(t) && !stopping.has(t.taskArn),
  );
  const settled =
    primaryServing.length === service.desiredCount && primaryLive.length === service.desiredCount;

  // Old deployments stay listed (a failed one with its FAILED state) until the primary is done.
  const drained = service.deployments
    .filter((d) => d.status !== "PRIMARY" && !remaining.some((t) => t.deploymentId === d.id))
    .map((d) => d.id);

  if (primary.rolloutState === "IN_PROGRESS") {
    plan.fail = failureOf(service, primary, alarms);
    if (plan.fail) return;
    if (settled && others.length === 0) {
      // With deployment alarms the old deployment stays listed until the bake time is over.
      if (bakeDone(service, primary, alarms, now)) {
        plan.complete = primary.id;
        plan.remove = drained;
      } else if (primary.bakeStartedAt === undefined) {
        plan.bake = primary.id;
      }
    }
  } else {
    plan.remove = drained;
  }
  const onlyPrimaryLeft = others.length === 0 && service.deployments.length - plan.remove.length === 1;
  plan.steady =
    settled && onlyPrimaryLeft && (primary.rolloutState === "COMPLETED" || plan.complete !== undefined);
}

/** Either failure detection fails an IN_PROGRESS deployment, whichever sees it first. */
function failureOf(
  service: ServiceRecord,
  primary: DeploymentRecord,
  alarms: AlarmStates,
): DeploymentFailure | undefined {
  const breaker = service.deploymentConfiguration.deploymentCircuitBreaker;
  if (breaker.enable && primary.failedTasks >= failureThreshold(service.desiredCount)) {
    return { deploymentId: primary.id, by: "circuit-breaker", reason: "tasks failed to start" };
  }
  const triggered = triggeredAlarms(service, primary, alarms).map((a) => a.alarmName);
  if (triggered.length === 0) return undefined;
  return { deploymentId: primary.id, by: "alarms", reason: "alarm detected", alarmNames: triggered };
}
