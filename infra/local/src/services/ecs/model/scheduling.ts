import { openShift, settleRollback, shiftPass } from "./blue-green.js";
import { addEvent, type ModelContext, nowSeconds, stateOf } from "./context.js";
import { eventMessages } from "./events.js";
import { type DeploymentFailure, isLive, planService, type ServicePlan } from "./rollout.js";
import { rollBack } from "./services.js";
import { newTask, requestStop } from "./tasks.js";
import type { DeploymentRecord, ServiceRecord, TaskRecord } from "./types.js";

// Applies the rollout rules' plan to the model: new task records, stop requests, deployment
// states and the events ECS writes for them. The scheduler then makes the runtime follow.

export function tasksOfService(ctx: ModelContext, service: ServiceRecord): TaskRecord[] {
  return Object.values(stateOf(ctx).tasks).filter(
    (t) =>
      t.clusterArn === service.clusterArn &&
      t.serviceName === service.serviceName &&
      t.lastStatus !== "STOPPED",
  );
}

/** One pass of the service scheduler over one service; returns the tasks it created. */
export function reconcileService(ctx: ModelContext, service: ServiceRecord): TaskRecord[] {
  if (service.status === "INACTIVE") return [];
  const tasks = tasksOfService(ctx, service);
  if (service.status === "DRAINING") return drain(ctx, service, tasks);
  const shifting = openShift(ctx, service);
  if (shifting) return reconcileShift(ctx, service, tasks, shifting);
  const plan = planService(service, tasks, nowSeconds(ctx), ctx.alarms);
  applyStops(ctx, service, plan);
  const started = applyStarts(ctx, service, plan);
  applyRollout(ctx, service, plan);
  const left = tasksOfService(ctx, service);
  settleRollback(ctx, service, left);
  updateCounts(service, left);
  return started;
}

/** A blue/green, canary or linear deployment's pass: its own rules, the same task bookkeeping. */
function reconcileShift(
  ctx: ModelContext,
  service: ServiceRecord,
  tasks: TaskRecord[],
  open: NonNullable<ReturnType<typeof openShift>>,
): TaskRecord[] {
  const result = shiftPass(ctx, service, tasks, open);
  const plan: ServicePlan = { start: result.start, stop: result.stop, remove: [], steady: false };
  applyStops(ctx, service, plan);
  const started = applyStarts(ctx, service, plan);
  if (result.completed) complete(ctx, service, result.completed, nowSeconds(ctx));
  service.steady = false;
  updateCounts(service, tasksOfService(ctx, service));
  return started;
}

function drain(ctx: ModelContext, service: ServiceRecord, tasks: TaskRecord[]): TaskRecord[] {
  const stopped = tasks.filter(
    (t) =>
      isLive(t) &&
      requestStop(ctx, t, "Service deletion initiated by the service scheduler", "ServiceSchedulerInitiated"),
  );
  if (stopped.length > 0)
    addEvent(
      ctx,
      service,
      eventMessages.stoppedTasks(
        service.serviceName,
        stopped.map((t) => t.taskId),
      ),
    );
  if (tasks.length === 0) {
    service.status = "INACTIVE";
    service.deployments = [];
  }
  updateCounts(service, tasks);
  return [];
}

function applyStops(ctx: ModelContext, service: ServiceRecord, plan: ServicePlan): void {
  const stopped: string[] = [];
  for (const s of plan.stop) {
    const task = stateOf(ctx).tasks[s.taskArn];
    if (!task) continue;
    if (s.unhealthyIn)
      addEvent(
        ctx,
        service,
        eventMessages.unhealthyTaskStopped(service.serviceName, task.taskId, s.unhealthyIn),
      );
    if (requestStop(ctx, task, s.reason, "ServiceSchedulerInitiated")) stopped.push(task.taskId);
  }
  if (stopped.length > 0) addEvent(ctx, service, eventMessages.stoppedTasks(service.serviceName, stopped));
}

function applyStarts(ctx: ModelContext, service: ServiceRecord, plan: ServicePlan): TaskRecord[] {
  const created: TaskRecord[] = [];
  for (const s of plan.start) {
    const deployment = service.deployments.find((d) => d.id === s.deploymentId);
    const td = deployment && taskDefinitionOf(ctx, deployment);
    if (!deployment || !td) continue;
    for (let i = 0; i < s.count; i++)
      created.push(newTask(ctx, td, service.clusterArn, { service, deploymentId: deployment.id }));
  }
  if (created.length > 0) {
    addEvent(
      ctx,
      service,
      eventMessages.startedTasks(
        service.serviceName,
        created.map((t) => t.taskId),
      ),
    );
  }
  return created;
}

function taskDefinitionOf(ctx: ModelContext, deployment: DeploymentRecord) {
  const key = deployment.taskDefinition.slice(deployment.taskDefinition.indexOf("task-definition/") + 16);
  return stateOf(ctx).taskDefinitions[key];
}

function applyRollout(ctx: ModelContext, service: ServiceRecord, plan: ServicePlan): void {
  const now = nowSeconds(ctx);
  if (plan.remove.length > 0)
    service.deployments = service.deployments.filter((d) => !plan.remove.includes(d.id));
  if (plan.bake) startBake(service, plan.bake, now);
  if (plan.complete) complete(ctx, service, plan.complete, now);
  if (plan.fail) fail(ctx, service, plan.fail, now);
  if (plan.steady && !service.steady) addEvent(ctx, service, eventMessages.steadyState(service.serviceName));
  service.steady = plan.steady;
}

function complete(ctx: ModelContext, service: ServiceRecord, id: string, now: number): void {
  const deployment = service.deployments.find((d) => d.id === id);
  if (!deployment) return;
  deployment.rolloutState = "COMPLETED";
  deployment.rolloutStateReason = `ECS deployment ${id} completed.`;
  deployment.updatedAt = now;
  service.lastCompletedTaskDefinition = deployment.taskDefinition;
  service.lastCompletedRevisionArn = deployment.serviceRevisionArn;
  const sd = stateOf(ctx).serviceDeployments[deployment.serviceDeploymentArn];
  if (sd) {
    sd.status = deployment.rollbackOf ? "ROLLBACK_SUCCESSFUL" : "SUCCESSFUL";
    sd.finishedAt = now;
    sd.updatedAt = now;
  }
  addEvent(ctx, service, eventMessages.deploymentCompleted(service.serviceName, id));
}

function startBake(service: ServiceRecord, id: string, now: number): void {
  const deployment = service.deployments.find((d) => d.id === id);
  if (deployment) deployment.bakeStartedAt = now;
}

/** What a failure detection writes, and whether it asks for a rollback. */
function failureTerms(service: ServiceRecord, failure: DeploymentFailure) {
  const config = service.deploymentConfiguration;
  if (failure.by === "circuit-breaker") {
    return {
      rolloutStateReason: `ECS deployment circuit breaker: ${failure.reason}.`,
      rollback: config.deploymentCircuitBreaker.rollback,
      rollbackReason: "Service deployment rolled back because the circuit breaker threshold was exceeded.",
    };
  }
  const names = failure.alarmNames.join(", ");
  return {
    rolloutStateReason: `ECS deployment ${failure.deploymentId} failed: alarm(s) detected: ${names}.`,
    rollback: config.alarms?.rollback ?? false,
    rollbackReason: `Service deployment rolled back because of the CloudWatch alarm(s) in ALARM: ${names}.`,
  };
}

/** Marks a deployment FAILED and, when the detection that failed it says so, rolls back. */
export function fail(
  ctx: ModelContext,
  service: ServiceRecord,
  failure: DeploymentFailure,
  now: number,
): void {
  const id = failure.deploymentId;
  const deployment = service.deployments.find((d) => d.id === id);
  if (deployment?.rolloutState !== "IN_PROGRESS") return;
  const terms = failureTerms(service, failure);
  deployment.rolloutState = "FAILED";
  deployment.rolloutStateReason = terms.rolloutStateReason;
  deployment.updatedAt = now;
  addEvent(ctx, service, eventMessages.deploymentFailed(service.serviceName, id, failure.reason));
  const sd = stateOf(ctx).serviceDeployments[deployment.serviceDeploymentArn];
  if (sd && failure.by === "alarms") sd.triggeredAlarmNames = failure.alarmNames;
  const rolledBack =
    terms.rollback && !deployment.rollbackOf
      ? rollBack(ctx, service, deployment, terms.rollbackReason)
      : undefined;
  if (sd && !rolledBack) {
    sd.status = deployment.rollbackOf ? "ROLLBACK_FAILED" : "STOPPED";
    sd.statusReason = `Service deployment failed: ${failure.reason}.`;
    sd.finishedAt = now;
    sd.stoppedAt = now;
    sd.updatedAt = now;
  }
}

function updateCounts(service: ServiceRecord, tasks: TaskRecord[]): void {
  for (const d of service.deployments) {
    const mine = tasks.filter((t) => t.deploymentId === d.id && t.desiredStatus === "RUNNING");
    d.runningCount = mine.filter((t) => t.lastStatus === "RUNNING").length;
    d.pendingCount = mine.length - d.runningCount;
  }
}

export function serviceCounts(
  ctx: ModelContext,
  service: ServiceRecord,
): { running: number; pending: number } {
  const tasks = tasksOfService(ctx, service).filter((t) => t.desiredStatus === "RUNNING");
  const running = tasks.filter((t) => t.lastStatus === "RUNNING").length;
  return { running, pending: tasks.length - running };
}
