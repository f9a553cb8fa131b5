import { randomBytes } from "node:crypto";
import type { AlarmStates } from "../../../contracts.js";
import { triggeredAlarms } from "./deployment-alarms.js";
import {
  failureThreshold,
  inBackoff,
  isHealthy,
  isLive,
  type StopOrder,
  stopFailedHealthChecks,
  stopOrders,
} from "./rollout.js";
import type {
  DeploymentRecord,
  HookDetail,
  LifecycleStage,
  ServiceDeploymentRecord,
  ServiceRecord,
  TaskRecord,
  TrafficShift,
} from "./types.js";

// ECS's blue/green, canary and linear deployments as rules over the deployment's TrafficShift: the
// stages in ECS's order, the PAUSE hooks that hold a stage, the production steps and their bakes,
// and when to roll back. It moves the shift's state and says what to start and stop; applying the
// weights and the tasks is scheduling.ts's job.

export interface ShiftInputs {
  service: ServiceRecord;
  sd: ServiceDeploymentRecord;
  green: DeploymentRecord;
  blue: DeploymentRecord;
  tasks: TaskRecord[];
  /** Epoch seconds. */
  now: number;
  alarms: AlarmStates;
  /** The region's cap on any bake (the spec's local.maxDeploymentBakeSeconds); undefined: none. */
  maxBakeSeconds?: number | undefined;
}

export interface ShiftPlan {
  start: { deploymentId: string; count: number }[];
  stop: StopOrder[];
  /** Why the deployment must roll back now; the shift is left as it was. */
  rollback?: string;
  /** Blue's tasks are gone after the bake: the deployment is done. */
  complete?: boolean;
  /** Alarms that failed it, for the service deployment's record. */
  triggeredAlarmNames?: string[];
}

/** The stages a deployment passes in order; PRODUCTION_TRAFFIC_SHIFT loops back per canary/linear step. */
const NEXT: Partial<Record<LifecycleStage, LifecycleStage>> = {
  RECONCILE_SERVICE: "PRE_SCALE_UP",
  PRE_SCALE_UP: "SCALE_UP",
  SCALE_UP: "POST_SCALE_UP",
  POST_SCALE_UP: "TEST_TRAFFIC_SHIFT",
  TEST_TRAFFIC_SHIFT: "POST_TEST_TRAFFIC_SHIFT",
  POST_TEST_TRAFFIC_SHIFT: "PRE_PRODUCTION_TRAFFIC_SHIFT",
  PRE_PRODUCTION_TRAFFIC_SHIFT: "PRODUCTION_TRAFFIC_SHIFT",
  POST_PRODUCTION_TRAFFIC_SHIFT: "BAKE_TIME",
  BAKE_TIME: "CLEAN_UP",
};

/** A PAUSE hook that nobody continues rolls back after this long, unless it says otherwise. */
export const DEFAULT_HOOK_TIMEOUT_MINUTES = 60;
const MAX_STAGES_PER_PASS = 20;

export function newShift(sourceDeploymentId: string, now: number, reconcile: boolean): TrafficShift {
  return {
    sourceDeploymentId,
    stage: reconcile ? "RECONCILE_SERVICE" : "PRE_SCALE_UP",
    stageStartedAt: now,
    productionPercent: 0,
    testOnGreen: false,
    steps: 0,
    hooks: [],
  };
}

/** Whether a rollback can still put production back on blue: not once blue is being stopped. */
export function canRollBack(shift: TrafficShift): boolean {
  return shift.rolledBackAt === undefined && shift.stage !== "CLEAN_UP";
}

export function planShift(x: ShiftInputs): ShiftPlan {
  const shift = x.sd.shift as TrafficShift;
  const plan: ShiftPlan = { start: [], stop: [] };
  const { stopping, stop } = stopOrders(plan.stop);
  const scaling = `Scaling activity initiated by (deployment ${x.green.id})`;
  stopFailedHealthChecks(stop, x.service, x.tasks, x.now);
  // Tasks of any other deployment (one this deployment superseded) go at once.
  for (const task of x.tasks) {
    if (isLive(task) && task.deploymentId !== x.green.id && task.deploymentId !== x.blue.id)
      stop(task, scaling);
  }

  const failure = failureOf(x);
  if (failure && canRollBack(shift)) {
    plan.rollback = failure.reason;
    if (failure.alarmNames) plan.triggeredAlarmNames = failure.alarmNames;
    return plan;
  }

  advanceStages(x, shift, plan);

  const live = (d: DeploymentRecord) =>
    x.tasks.filter((t) => t.deploymentId === d.id && isLive(t) && !stopping.has(t.taskArn));
  if (shift.stage === "CLEAN_UP") {
    // Blue drains (its in-flight requests and open connections finish) before it is stopped.
    for (const task of live(x.blue)) stop(task, scaling);
    plan.complete = x.tasks.every((t) => t.deploymentId === x.green.id);
  } else if (shift.stage !== "RECONCILE_SERVICE" && shift.stage !== "PRE_SCALE_UP") {
    // Blue keeps its full set until clean-up: it is what a rollback returns to.
    topUp(plan, x.blue, live(x.blue).length, x.now);
  }
  if (shift.stage !== "RECONCILE_SERVICE" && shift.stage !== "PRE_SCALE_UP") {
    topUp(plan, x.green, live(x.green).length, x.now);
  }
  return plan;
}

function topUp(plan: ShiftPlan, deployment: DeploymentRecord, live: number, now: number): void {
  const count = deployment.desiredCount - live;
  if (count > 0 && !inBackoff(deployment, now)) plan.start.push({ deploymentId: deployment.id, count });
}

function failureOf(x: ShiftInputs): { reason: string; alarmNames?: string[] } | undefined {
  const breaker = x.sd.deploymentConfiguration.deploymentCircuitBreaker;
  if (breaker.enable && x.green.failedTasks >= failureThreshold(x.service.desiredCount)) {
    return { reason: "Service deployment rolled back because the circuit breaker threshold was exceeded." };
  }
  const triggered = triggeredAlarms(x.service, x.green, x.alarms).map((a) => a.alarmName);
  if (triggered.length > 0) {
    return {
      reason: `Service deployment rolled back because of the CloudWatch alarm(s) in ALARM: ${triggered.join(", ")}.`,
      alarmNames: triggered,
    };
  }
  return undefined;
}

/** Takes every stage whose condition holds now, in order, stopping at one that must wait. */
function advanceStages(x: ShiftInputs, shift: TrafficShift, plan: ShiftPlan): void {
  for (let i = 0; i < MAX_STAGES_PER_PASS && !plan.rollback; i++) {
    const next = nextStage(x, shift, plan);
    if (!next) return;
    shift.stage = next;
    shift.stageStartedAt = x.now;
    enter(x, shift, next);
  }
}

function nextStage(x: ShiftInputs, shift: TrafficShift, plan: ShiftPlan): LifecycleStage | undefined {
  const stage = shift.stage;
  switch (stage) {
    case "RECONCILE_SERVICE":
      if (!hooksPassed(x, shift, plan)) return undefined;
      return othersGone(x) ? NEXT[stage] : undefined;
    case "SCALE_UP":
      return greenReady(x) ? NEXT[stage] : undefined;
    case "TEST_TRAFFIC_SHIFT":
      return NEXT[stage];
    case "PRODUCTION_TRAFFIC_SHIFT":
      if (shift.productionPercent >= 100) return "POST_PRODUCTION_TRAFFIC_SHIFT";
      return x.now >= (shift.stepAt ?? x.now) + stepBakeSeconds(x)
        ? "PRE_PRODUCTION_TRAFFIC_SHIFT"
        : undefined;
    case "BAKE_TIME":
      return x.now >= (shift.bakeEndsAt ?? x.now) ? NEXT[stage] : undefined;
    case "CLEAN_UP":
      return undefined;
    default:
      return hooksPassed(x, shift, plan) ? NEXT[stage] : undefined;
  }
}

/** What a stage does as it is entered. */
function enter(x: ShiftInputs, shift: TrafficShift, stage: LifecycleStage): void {
  if (stage === "TEST_TRAFFIC_SHIFT") shift.testOnGreen = true;
  if (stage === "PRODUCTION_TRAFFIC_SHIFT") {
    shift.productionPercent = nextPercent(x, shift.productionPercent);
    shift.steps += 1;
    shift.stepAt = x.now;
  }
  if (stage === "BAKE_TIME")
    shift.bakeEndsAt = x.now + capped(x, (x.sd.deploymentConfiguration.bakeTimeInMinutes ?? 0) * 60);
}

function nextPercent(x: ShiftInputs, current: number): number {
  const config = x.sd.deploymentConfiguration;
  if (config.strategy === "CANARY" && current === 0) return config.canaryConfiguration?.canaryPercent ?? 100;
  if (config.strategy === "LINEAR") {
    const step = config.linearConfiguration?.stepPercent ?? 100;
    return Math.min(100, Math.round((current + step) * 10) / 10);
  }
  return 100;
}

function stepBakeSeconds(x: ShiftInputs): number {
  const config = x.sd.deploymentConfiguration;
  const minutes =
    config.strategy === "CANARY"
      ? config.canaryConfiguration?.canaryBakeTimeInMinutes
      : config.strategy === "LINEAR"
        ? config.linearConfiguration?.stepBakeTimeInMinutes
        : 0;
  return capped(x, (minutes ?? 0) * 60);
}

function capped(x: ShiftInputs, seconds: number): number {
  return x.maxBakeSeconds === undefined ? seconds : Math.min(seconds, x.maxBakeSeconds);
}

function greenReady(x: ShiftInputs): boolean {
  const green = x.tasks.filter((t) => t.deploymentId === x.green.id && isLive(t));
  return green.length === x.green.desiredCount && green.every((t) => isHealthy(t, x.service));
}

function othersGone(x: ShiftInputs): boolean {
  return x.tasks.every(
    (t) => t.deploymentId === x.green.id || t.deploymentId === x.blue.id || t.lastStatus === "STOPPED",
  );
}

/**
 * The stage's PAUSE hooks: opened (AWAITING_ACTION) the first time the stage is seen, passed once
 * each is SUCCEEDED or timed out with CONTINUE. A production step's PRE_PRODUCTION hooks are its own.
 */
function hooksPassed(x: ShiftInputs, shift: TrafficShift, plan: ShiftPlan): boolean {
  const stage = shift.stage;
  const step = stage === "PRE_PRODUCTION_TRAFFIC_SHIFT" ? shift.steps : undefined;
  const configured = (x.sd.deploymentConfiguration.lifecycleHooks ?? []).filter((h) =>
    h.lifecycleStages.includes(stage),
  );
  const mine = (h: HookDetail) => h.stage === stage && h.step === step;
  if (configured.length > 0 && !shift.hooks.some(mine)) {
    for (const hook of configured) {
      const timeout = hook.timeoutConfiguration;
      shift.hooks.push({
        hookId: `ecs-pause-${randomBytes(32).toString("base64url")}`,
        targetType: "PAUSE",
        stage,
        status: "AWAITING_ACTION",
        expiresAt: x.now + (timeout?.timeoutInMinutes ?? DEFAULT_HOOK_TIMEOUT_MINUTES) * 60,
        timeoutAction: timeout?.action ?? "ROLLBACK",
        ...(step !== undefined ? { step } : {}),
      });
    }
  }
  const details = shift.hooks.filter(mine);
  for (const h of details) {
    if (h.status === "AWAITING_ACTION" && x.now >= h.expiresAt) h.status = "TIMED_OUT";
  }
  const rollBackOn = details.find((h) => h.status === "TIMED_OUT" && h.timeoutAction === "ROLLBACK");
  if (rollBackOn) {
    plan.rollback = `Service deployment rolled back because the lifecycle hook ${rollBackOn.hookId} timed out.`;
    return false;
  }
  return details.every((h) => h.status === "SUCCEEDED" || h.status === "TIMED_OUT");
}
