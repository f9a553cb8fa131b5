import type { DeploymentView, ServiceSnapshot, TargetView, TaskView, Tracked } from "./snapshot.js";

// The decision rules of a deploy, as pure functions over one snapshot. They follow the deployment
// this CLI created, never "the service": one deployment left is not success (that is the waiter's
// mistake), a circuit-breaker rollback is a failure, and the old tasks' drain never delays a verdict.

export type SuccessRule =
  | "rollout-completed"
  | "tasks-healthy-old-draining"
  /** BLUE_GREEN / CANARY / LINEAR: ECS's service deployment reports SUCCESSFUL (after its bake). */
  | "service-deployment-successful"
  /** `ecs rollback` during a bake: ECS reports ROLLBACK_SUCCESSFUL. */
  | "rollback-successful";

export type FailureReason =
  | "rollout-failed"
  | "rolled-back-by-ecs"
  | "replaced"
  | "disappeared"
  | "circuit-breaker-threshold"
  | "placement-or-pull"
  | "timeout"
  /** An alarm went to ALARM while the deploy baked. */
  | "alarm"
  /** --test-url / --test-command failed at the test listener: the deployment was rolled back at the hook. */
  | "test-check"
  /** ECS ended the service deployment otherwise than SUCCESSFUL (ROLLBACK_*, STOPPED). */
  | "service-deployment";

export interface Progress {
  deploymentId: string;
  rolloutState: string;
  desired: number;
  running: number;
  pending: number;
  failedTasks: number;
  /** Targets of the tracked deployment's tasks, and old targets draining. */
  targets: { initial: number; healthy: number; unhealthy: number; draining: number };
  elapsedSeconds: number;
  lastEvent?: string;
}

export type Verdict =
  | { kind: "waiting"; progress: Progress }
  | { kind: "succeeded"; rule: SuccessRule; explanation: string; progress: Progress }
  | { kind: "failed"; reason: FailureReason; explanation: string; progress: Progress };

export const SUCCESS_RULE_TEXT: Record<SuccessRule, string> = {
  "rollout-completed": "ECS reports the deployment's rolloutState COMPLETED",
  "tasks-healthy-old-draining":
    "all new tasks RUNNING and healthy in every target group, old tasks only draining",
  "service-deployment-successful": "ECS reports the service deployment SUCCESSFUL after its bake",
  "rollback-successful": "ECS reports the service deployment ROLLBACK_SUCCESSFUL",
};

/** ECS's circuit breaker: failed tasks threshold = min(max(ceil(desired × 0.5), 3), 200). */
export function circuitBreakerThreshold(desiredCount: number): number {
  return Math.min(Math.max(Math.ceil(desiredCount * 0.5), 3), 200);
}

// Service event texts that mean the new tasks will not run, whatever the counts say yet.
const PLACEMENT_OR_PULL = [
  /unable to place a task/i,
  /CannotPullContainerError/i,
  /pull (?:access denied|image manifest)/i,
  /failed to (?:pull|resolve) (?:the )?image/i,
  /ResourceInitializationError/i,
  /CannotStartContainerError/i,
];

export interface RuleOptions {
  /** fabfuel's --ignore-warnings: placement/pull events don't fail the deploy; counts and the timeout still do. */
  ignoreEvents?: boolean;
}

export function decide(
  snapshot: ServiceSnapshot,
  tracked: Tracked,
  now: Date,
  timeoutSeconds: number,
  options: RuleOptions = {},
): Verdict {
  const ours = snapshot.deployments.find((d) => d.id === tracked.deploymentId);
  const progress = progressOf(snapshot, tracked, ours, now);
  const fail = (reason: FailureReason, explanation: string): Verdict => ({
    kind: "failed",
    reason,
    explanation,
    progress,
  });

  if (!ours) {
    const rollback = rollbackDeployment(snapshot, tracked);
    if (rollback)
      return fail("rolled-back-by-ecs", `ECS rolled the deployment back to ${rollback.taskDefinition}`);
    return fail("disappeared", `deployment ${tracked.deploymentId} is no longer listed on the service`);
  }
  const newer = newerPrimary(snapshot, ours);
  const reason = ours.rolloutStateReason ? `: ${ours.rolloutStateReason}` : "";
  if (newer && newer.taskDefinition !== tracked.taskDefinition) {
    return fail(
      "rolled-back-by-ecs",
      `ECS rolled back to ${newer.taskDefinition} (deployment ${newer.id})${reason}`,
    );
  }
  if (ours.rolloutState === "FAILED") return fail("rollout-failed", `rolloutState FAILED${reason}`);
  if (newer) return fail("replaced", `deployment ${newer.id} of the same revision replaced ours`);
  if (ours.rolloutState === "COMPLETED") return succeed("rollout-completed", progress);

  const blocking = options.ignoreEvents ? undefined : blockingEvent(snapshot, tracked);
  if (blocking) return fail("placement-or-pull", blocking);
  const threshold = circuitBreakerThreshold(ours.desiredCount);
  if (ours.failedTasks >= threshold) {
    return fail(
      "circuit-breaker-threshold",
      `${ours.failedTasks} tasks failed to start (circuit breaker threshold ${threshold})`,
    );
  }
  if (newTasksServing(snapshot, tracked, ours)) return succeed("tasks-healthy-old-draining", progress);
  if (progress.elapsedSeconds >= timeoutSeconds) {
    return fail("timeout", `no verdict after ${timeoutSeconds}s (${describeProgress(progress)})`);
  }
  return { kind: "waiting", progress };
}

function succeed(rule: SuccessRule, progress: Progress): Verdict {
  return { kind: "succeeded", rule, explanation: SUCCESS_RULE_TEXT[rule], progress };
}

/** A deployment going back to another revision after ours vanished: ECS's circuit-breaker rollback. */
function rollbackDeployment(snapshot: ServiceSnapshot, tracked: Tracked): DeploymentView | undefined {
  const primary = snapshot.deployments.find((d) => d.status === "PRIMARY");
  return primary && primary.taskDefinition !== tracked.taskDefinition ? primary : undefined;
}

/** A PRIMARY deployment other than ours: someone or something (a rollback) deployed after us. */
function newerPrimary(snapshot: ServiceSnapshot, ours: DeploymentView): DeploymentView | undefined {
  if (ours.status === "PRIMARY") return undefined;
  return snapshot.deployments.find((d) => d.status === "PRIMARY" && d.id !== ours.id);
}

function blockingEvent(snapshot: ServiceSnapshot, tracked: Tracked): string | undefined {
  const since = snapshot.events.filter((e) => e.createdAt.getTime() >= tracked.startedAt.getTime());
  return since.find((e) => PLACEMENT_OR_PULL.some((pattern) => pattern.test(e.message)))?.message;
}

/**
 * The early success rule: as many of our tasks RUNNING as the deployment wants, none unhealthy,
 * each healthy in every target group of the service, and every old target already draining or
 * gone (without a load balancer: the older deployments scaled to zero). ECS has then committed to
 * the new tasks; waiting for the drain would only add the deregistration delay to the verdict.
 */
function newTasksServing(snapshot: ServiceSnapshot, tracked: Tracked, ours: DeploymentView): boolean {
  if (ours.desiredCount <= 0) return false;
  const running = ourTasks(snapshot, tracked).filter((t) => t.lastStatus === "RUNNING");
  if (running.length < ours.desiredCount) return false;
  if (running.some((t) => t.healthStatus === "UNHEALTHY")) return false;
  const everyTargetHealthy = running.every((task) =>
    snapshot.targetGroupArns.every((group) => {
      const target = task.targets.find((t) => t.targetGroupArn === group);
      return target !== undefined && stateOf(snapshot.targets, target) === "healthy";
    }),
  );
  if (!everyTargetHealthy) return false;
  if (snapshot.targetGroupArns.length > 0) return oldTargetsOnlyDraining(snapshot, tracked);
  return snapshot.deployments.every((d) => d.id === ours.id || d.desiredCount === 0 || d.runningCount === 0);
}

function oldTargetsOnlyDraining(snapshot: ServiceSnapshot, tracked: Tracked): boolean {
  const ourTargets = new Set(ourTasks(snapshot, tracked).flatMap((t) => t.targets.map(targetKey)));
  return snapshot.targets
    .filter((t) => !ourTargets.has(targetKey(t)))
    .every((t) => t.state === "draining" || t.state === "unused");
}

export function ourTasks(snapshot: ServiceSnapshot, tracked: Tracked): TaskView[] {
  return snapshot.tasks.filter(
    (t) =>
      t.startedBy === tracked.deploymentId || (!t.startedBy && t.taskDefinition === tracked.taskDefinition),
  );
}

function targetKey(t: { targetGroupArn: string; id: string; port: number }): string {
  return `${t.targetGroupArn}|${t.id}|${t.port}`;
}

function stateOf(targets: TargetView[], target: { targetGroupArn: string; id: string; port: number }) {
  return targets.find((t) => targetKey(t) === targetKey(target))?.state;
}

function progressOf(
  snapshot: ServiceSnapshot,
  tracked: Tracked,
  ours: DeploymentView | undefined,
  now: Date,
): Progress {
  const ourTargetKeys = new Set(ourTasks(snapshot, tracked).flatMap((t) => t.targets.map(targetKey)));
  const mine = snapshot.targets.filter((t) => ourTargetKeys.has(targetKey(t)));
  const count = (list: TargetView[], state: string) => list.filter((t) => t.state === state).length;
  const lastEvent = snapshot.events.find((e) => e.createdAt.getTime() >= tracked.startedAt.getTime());
  return {
    deploymentId: tracked.deploymentId,
    rolloutState: ours?.rolloutState ?? (ours ? "IN_PROGRESS" : "GONE"),
    desired: ours?.desiredCount ?? 0,
    running: ours?.runningCount ?? 0,
    pending: ours?.pendingCount ?? 0,
    failedTasks: ours?.failedTasks ?? 0,
    targets: {
      initial: count(mine, "initial"),
      healthy: count(mine, "healthy"),
      unhealthy: count(mine, "unhealthy"),
      draining: count(snapshot.targets, "draining"),
    },
    elapsedSeconds: Math.max(0, Math.round((now.getTime() - tracked.startedAt.getTime()) / 1000)),
    lastEvent: lastEvent?.message,
  };
}

export function describeProgress(p: Progress): string {
  const t = p.targets;
  return (
    `${p.rolloutState}, tasks ${p.running}/${p.desired} running, ${p.pending} pending, ${p.failedTasks} failed; ` +
    `targets ${t.healthy} healthy, ${t.initial} initial, ${t.unhealthy} unhealthy, ${t.draining} draining`
  );
}
