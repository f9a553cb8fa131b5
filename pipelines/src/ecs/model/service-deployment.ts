import { UsageError } from "./errors.js";

// A service deployment (ECS's ListServiceDeployments/DescribeServiceDeployments) as the follower of a
// BLUE_GREEN / CANARY / LINEAR deploy sees it, and the rules over it. Plain data, no SDK types.

/** ECS's lifecycle stages in the order a deployment goes through them. */
export const LIFECYCLE_STAGES = [
  "RECONCILE_SERVICE",
  "PRE_SCALE_UP",
  "SCALE_UP",
  "POST_SCALE_UP",
  "TEST_TRAFFIC_SHIFT",
  "POST_TEST_TRAFFIC_SHIFT",
  "PRE_PRODUCTION_TRAFFIC_SHIFT",
  "PRODUCTION_TRAFFIC_SHIFT",
  "POST_PRODUCTION_TRAFFIC_SHIFT",
  "BAKE_TIME",
  "CLEAN_UP",
] as const;
export type LifecycleStage = (typeof LIFECYCLE_STAGES)[number];
/** What --wait-until takes: a stage, or SUCCESSFUL for "done". */
export type WaitPoint = LifecycleStage | "SUCCESSFUL";

export interface HookView {
  hookId: string;
  targetType: string;
  status: string;
  expiresAt?: Date | undefined;
  timeoutAction?: string | undefined;
}

export interface ServiceDeploymentView {
  arn: string;
  status: string;
  statusReason?: string | undefined;
  stage?: string | undefined;
  hooks: HookView[];
  /** The stages its configuration pauses at (PAUSE lifecycle hooks). */
  pauseStages: string[];
  createdAt?: Date | undefined;
  startedAt?: Date | undefined;
  finishedAt?: Date | undefined;
  /** The service revision ECS deploys (green), with its task counts. */
  target?: { arn: string; running: number; requested: number } | undefined;
  sources: string[];
  bakeTimeInMinutes?: number | undefined;
  rollbackReason?: string | undefined;
  alarms?: { status: string; names: string[]; triggered: string[] } | undefined;
  circuitBreaker?: { status: string; failureCount: number; threshold: number } | undefined;
}

const DONE_STATUSES = ["SUCCESSFUL", "STOPPED", "ROLLBACK_SUCCESSFUL", "ROLLBACK_FAILED"];
const OPEN_STATUSES = ["PENDING", "IN_PROGRESS"];

/** `--wait-until`: exactly a stage name, or SUCCESSFUL. */
export function parseWaitPoint(value: string): WaitPoint {
  const upper = value.trim().toUpperCase();
  if (upper === "SUCCESSFUL") return "SUCCESSFUL";
  const stage = LIFECYCLE_STAGES.find((s) => s === upper);
  if (!stage) {
    throw new UsageError(
      `--wait-until must be a lifecycle stage (${LIFECYCLE_STAGES.join(", ")}) or SUCCESSFUL, got "${value}"`,
    );
  }
  return stage;
}

export function stageIndex(stage: string | undefined): number {
  return LIFECYCLE_STAGES.indexOf(stage as LifecycleStage);
}

export function isDone(view: ServiceDeploymentView): boolean {
  return DONE_STATUSES.includes(view.status);
}

/** Still moving forward: not finished, not rolling back. */
export function isOpen(view: { status: string }): boolean {
  return OPEN_STATUSES.includes(view.status);
}

/** Has the deployment reached `point`? A stage counts once the deployment is at it or past it. */
export function reached(view: ServiceDeploymentView, point: WaitPoint): boolean {
  if (view.status === "SUCCESSFUL") return true;
  if (point === "SUCCESSFUL" || !isOpen(view)) return false;
  const at = stageIndex(view.stage);
  return at >= 0 && at >= stageIndex(point);
}

/**
 * At the stage --wait-until names, with a PAUSE hook configured there whose details ECS has not
 * listed yet: one more look, so the hookId a later `ecs continue` needs is there.
 */
export function hookPending(view: ServiceDeploymentView): boolean {
  return view.stage !== undefined && view.pauseStages.includes(view.stage) && view.hooks.length === 0;
}

/** The PAUSE hook ECS is waiting on, if any. */
export function awaitingHook(view: ServiceDeploymentView): HookView | undefined {
  return view.hooks.find((h) => h.status === "AWAITING_ACTION");
}

/** During the bake (or before it), a rollback is ECS's StopServiceDeployment: traffic goes back at once. */
export function canStopWithRollback(view: ServiceDeploymentView): boolean {
  return isOpen(view) && view.stage !== "CLEAN_UP";
}

export type ServiceDeploymentVerdict =
  | { kind: "waiting" }
  | { kind: "succeeded"; explanation: string }
  | { kind: "failed"; status: string; explanation: string };

/**
 * Done = SUCCESSFUL; ROLLBACK_SUCCESSFUL / ROLLBACK_FAILED / STOPPED = failed, with every reason ECS
 * gives. A rollback or stop still in progress is waited for: its end decides the exit code.
 */
export function judge(view: ServiceDeploymentView): ServiceDeploymentVerdict {
  if (view.status === "SUCCESSFUL") {
    return { kind: "succeeded", explanation: "ECS reports the service deployment SUCCESSFUL" };
  }
  if (!isDone(view)) return { kind: "waiting" };
  return { kind: "failed", status: view.status, explanation: failureExplanation(view) };
}

/** statusReason, the rollback's reason, triggered alarms, the circuit breaker — whatever ECS reported. */
export function failureExplanation(view: ServiceDeploymentView): string {
  const parts = [`service deployment ${view.status}`];
  if (view.statusReason) parts.push(view.statusReason);
  if (view.rollbackReason && view.rollbackReason !== view.statusReason) parts.push(view.rollbackReason);
  const triggered = view.alarms?.triggered ?? [];
  if (triggered.length > 0) parts.push(`alarm(s) ${triggered.join(", ")} triggered the rollback`);
  const cb = view.circuitBreaker;
  if (cb?.status === "TRIGGERED") {
    parts.push(`circuit breaker triggered (${cb.failureCount} failed tasks, threshold ${cb.threshold})`);
  }
  // ECS's reasons end in a period; joined, they read as one sentence.
  return parts.map((p) => p.replace(/\.$/, "")).join(": ");
}

/** What would roll the deployment back while it runs: the alarms ECS monitors, the circuit breaker. */
export function rollbackTriggers(view: ServiceDeploymentView, cliAlarms: readonly string[] = []): string[] {
  const triggers: string[] = [];
  const ecsAlarms = view.alarms?.status === "MONITORING" ? view.alarms.names : [];
  const alarms = [...new Set([...ecsAlarms, ...cliAlarms])];
  if (alarms.length > 0) triggers.push(`alarm ${alarms.join(", ")}`);
  const cb = view.circuitBreaker;
  if (cb?.status === "MONITORING")
    triggers.push(`circuit breaker (${cb.failureCount}/${cb.threshold} failed)`);
  return triggers;
}

/** Seconds of ECS's bake left, counted from when the follower first saw BAKE_TIME. */
export function bakeSecondsLeft(bakeMinutes: number, enteredAt: Date, now: Date): number {
  return Math.max(0, Math.round(bakeMinutes * 60 - (now.getTime() - enteredAt.getTime()) / 1000));
}

/** The open deployment of a service, newest first among what ListServiceDeployments gave. */
export function newestOpen<T extends { status: string; createdAt?: Date | undefined }>(
  deployments: readonly T[],
): T | undefined {
  return [...deployments]
    .filter(isOpen)
    .sort((a, b) => (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0))[0];
}
