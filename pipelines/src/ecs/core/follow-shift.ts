import type { LoadBalancer } from "@aws-sdk/client-ecs";
import { describeAlarms } from "../aws/cloudwatch.js";
import { targetHealth } from "../aws/elbv2.js";
import { ruleWeights } from "../aws/listener-rules.js";
import { isTransient } from "../aws/retry.js";
import {
  continueServiceDeployment,
  describeServiceDeployment,
  stopServiceDeploymentWithRollback,
} from "../aws/service-deployments.js";
import { firstAlarm } from "../model/alarm-watch.js";
import {
  awaitingHook,
  bakeSecondsLeft,
  type HookView,
  hookPending,
  judge,
  reached,
  rollbackTriggers,
  type ServiceDeploymentView,
  type WaitPoint,
} from "../model/service-deployment.js";
import { TEST_HOOK_STAGE } from "../model/strategy.js";
import { blueAndGreen, greenPercent, type ShiftProgress } from "../model/traffic-shift.js";
import type { Context } from "./context.js";
import type { CheckResult } from "./test-check.js";

// Follows one service deployment of a BLUE_GREEN / CANARY / LINEAR service through its lifecycle
// stages until ECS reports it done (or --wait-until's stage), showing each look: the stage, the
// traffic split, green's health, the bake left and what would roll it back.

/** The listener rules ECS moves and which target group is green in this deploy. */
export interface TrafficView {
  productionRule?: string | undefined;
  testRule?: string | undefined;
  blue?: string | undefined;
  green?: string | undefined;
}

export interface ShiftWatch {
  cluster: string;
  service: string;
  strategy: string;
  serviceDeploymentArn: string;
  startedAt: Date;
  timeoutSeconds: number;
  traffic: TrafficView;
  waitUntil?: WaitPoint | undefined;
  /** Run at the tool's own PAUSE hook; its verdict continues or rolls back the deployment. */
  testCheck?: (() => Promise<CheckResult>) | undefined;
  /** --rollback-alarm names: one going to ALARM stops the deployment with a rollback. */
  rollbackAlarms: string[];
}

export type ShiftOutcome =
  | {
      kind: "succeeded";
      view: ServiceDeploymentView;
      explanation: string;
      /** When the follower first saw BAKE_TIME; undefined when it never did (no bake, or a short one between looks). */
      bakeEnteredAt?: Date | undefined;
    }
  | { kind: "reached"; view: ServiceDeploymentView; point: WaitPoint; hook?: HookView | undefined }
  | {
      kind: "failed";
      view?: ServiceDeploymentView | undefined;
      status: string;
      explanation: string;
      /** Why this run stopped the deployment (a test check, an alarm), when it did. */
      cause?: { reason: "test-check" | "alarm"; explanation: string; alarm?: string } | undefined;
    }
  | { kind: "timeout"; view?: ServiceDeploymentView | undefined; explanation: string };

/** What the service's load balancers say about the rules and groups: read before the deploy starts. */
export async function trafficView(
  ctx: Context,
  loadBalancers: readonly LoadBalancer[],
): Promise<TrafficView> {
  const lb = loadBalancers.find((l) => l.advancedConfiguration?.productionListenerRule);
  const advanced = lb?.advancedConfiguration;
  if (!lb?.targetGroupArn || !advanced?.alternateTargetGroupArn) return {};
  const view: TrafficView = {
    productionRule: advanced.productionListenerRule,
    testRule: advanced.testListenerRule,
  };
  try {
    const weights = await ruleWeights(ctx.clients.elbv2, advanced.productionListenerRule!);
    return { ...view, ...blueAndGreen(weights, lb.targetGroupArn, advanced.alternateTargetGroupArn) };
  } catch (error) {
    ctx.reporter.warn(
      `could not read the production listener rule (${(error as Error).name}): no traffic split shown`,
    );
    return view;
  }
}

export async function followShift(ctx: Context, watch: ShiftWatch): Promise<ShiftOutcome> {
  const answered = new Set<string>();
  const announced = new Set<string>();
  let bakeEnteredAt: Date | undefined;
  let cause: Extract<ShiftOutcome, { kind: "failed" }>["cause"];
  let view: ServiceDeploymentView | undefined;
  let failedLooks = 0;
  for (;;) {
    try {
      view = await describeServiceDeployment(ctx.clients.ecs, watch.serviceDeploymentArn);
      failedLooks = 0;
    } catch (error) {
      if (!isTransient(error)) throw error;
      if (failedLooks++ === 0)
        ctx.reporter.warn(`could not read the service deployment (${(error as Error).name}); retrying`);
    }
    if (view) {
      if (view.stage === "BAKE_TIME") bakeEnteredAt ??= ctx.clock.now();
      ctx.reporter.shift(await progressOf(ctx, watch, view, bakeEnteredAt));
      const verdict = judge(view);
      if (verdict.kind === "succeeded")
        return { kind: "succeeded", view, explanation: verdict.explanation, bakeEnteredAt };
      if (verdict.kind === "failed")
        return { kind: "failed", view, status: verdict.status, explanation: verdict.explanation, cause };
      if (watch.waitUntil && reached(view, watch.waitUntil) && !hookPending(view)) {
        return { kind: "reached", view, point: watch.waitUntil, hook: awaitingHook(view) };
      }
      cause ??= await actOnHook(ctx, watch, view, answered, announced);
      if (!cause) cause = await alarmCause(ctx, watch, view);
    }
    if (elapsedSeconds(ctx, watch.startedAt) >= watch.timeoutSeconds) {
      return {
        kind: "timeout",
        view,
        explanation: `no verdict after ${watch.timeoutSeconds}s (service deployment ${view?.status ?? "unreadable"}${view?.stage ? ` at ${view.stage}` : ""})`,
      };
    }
    await ctx.clock.sleep(ctx.pollIntervalMs * Math.min(2 ** failedLooks, 8));
  }
}

/**
 * At the tool's own hook (AWAITING_ACTION at POST_TEST_TRAFFIC_SHIFT) run the check and continue or
 * roll back; at any other PAUSE hook say once how to continue it. Returns the cause of a rollback.
 */
async function actOnHook(
  ctx: Context,
  watch: ShiftWatch,
  view: ServiceDeploymentView,
  answered: Set<string>,
  announced: Set<string>,
) {
  const hook = awaitingHook(view);
  if (!hook || answered.has(hook.hookId)) return undefined;
  if (watch.testCheck && view.stage === TEST_HOOK_STAGE) {
    answered.add(hook.hookId);
    ctx.reporter.info(
      `Green has the test listener (hook ${hook.hookId}): testing it before production moves`,
    );
    const result = await watch.testCheck();
    const action = result.passed ? "CONTINUE" : "ROLLBACK";
    await continueServiceDeployment(ctx.clients.ecs, view.arn, hook.hookId, action);
    ctx.reporter.info(`test ${result.passed ? "passed" : "FAILED"}: ${result.explanation} → ${action}`);
    return result.passed
      ? undefined
      : { reason: "test-check" as const, explanation: `the test check failed: ${result.explanation}` };
  }
  if (!announced.has(hook.hookId)) {
    announced.add(hook.hookId);
    ctx.reporter.info(
      `ECS waits at hook ${hook.hookId} (${view.stage ?? "?"}, ${hook.timeoutAction ?? "ROLLBACK"} ${hook.expiresAt ? `at ${hook.expiresAt.toISOString()}` : "on timeout"}): ` +
        `ecs continue ${watch.cluster} ${watch.service} [--rollback]`,
    );
  }
  return undefined;
}

/** A --rollback-alarm in ALARM since the deploy began: stop the deployment with a rollback (ECS moves traffic back). */
async function alarmCause(ctx: Context, watch: ShiftWatch, view: ServiceDeploymentView) {
  if (watch.rollbackAlarms.length === 0) return undefined;
  try {
    const fired = firstAlarm(await describeAlarms(ctx.clients, watch.rollbackAlarms), watch.startedAt);
    if (!fired) return undefined;
    ctx.reporter.warn(`alarm ${fired.name} is in ALARM: stopping the deployment with a rollback`);
    await stopServiceDeploymentWithRollback(ctx.clients.ecs, view.arn);
    return {
      reason: "alarm" as const,
      explanation: `alarm ${fired.name} went to ALARM: ${fired.stateReason}`,
      alarm: fired.name,
    };
  } catch (error) {
    ctx.reporter.warn(`could not check the alarms (${(error as Error).name})`);
    return undefined;
  }
}

async function progressOf(
  ctx: Context,
  watch: ShiftWatch,
  view: ServiceDeploymentView,
  bakeEnteredAt: Date | undefined,
): Promise<ShiftProgress> {
  const { productionRule, testRule, green } = watch.traffic;
  // The split and green's targets are for the eye only: a look that fails leaves them out.
  const [production, test, healthy] = await Promise.all([
    productionRule && green
      ? ruleWeights(ctx.clients.elbv2, productionRule)
          .then((w) => greenPercent(w, green))
          .catch(() => undefined)
      : undefined,
    testRule && green
      ? ruleWeights(ctx.clients.elbv2, testRule)
          .then((w) => greenPercent(w, green))
          .catch(() => undefined)
      : undefined,
    green
      ? targetHealth(ctx.clients.elbv2, green)
          .then((t) => t.filter((x) => x.state === "healthy").length)
          .catch(() => undefined)
      : undefined,
  ]);
  const hook = awaitingHook(view);
  return {
    serviceDeploymentArn: view.arn,
    strategy: watch.strategy,
    status: view.status,
    stage: view.stage ?? "-",
    productionGreenPercent: production,
    testOnGreen: test === undefined ? undefined : test > 0,
    green: {
      running: view.target?.running ?? 0,
      desired: view.target?.requested ?? 0,
      healthyTargets: healthy,
    },
    bakeSecondsLeft:
      bakeEnteredAt && view.stage === "BAKE_TIME"
        ? bakeSecondsLeft(view.bakeTimeInMinutes ?? 0, bakeEnteredAt, ctx.clock.now())
        : undefined,
    rollbackTriggers: rollbackTriggers(view, watch.rollbackAlarms),
    pausedHookId: hook?.hookId,
    elapsedSeconds: Math.round(elapsedSeconds(ctx, watch.startedAt)),
  };
}

function elapsedSeconds(ctx: Context, since: Date): number {
  return (ctx.clock.now().getTime() - since.getTime()) / 1000;
}
