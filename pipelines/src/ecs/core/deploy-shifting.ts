import type { DeploymentConfiguration, Service, TaskDefinition } from "@aws-sdk/client-ecs";
import { describeAlarms } from "../aws/cloudwatch.js";
import { listServiceDeployments, stopServiceDeploymentWithRollback } from "../aws/service-deployments.js";
import { primaryDeployment } from "../aws/snapshot.js";
import type { AlarmEvidence } from "../model/alarm-watch.js";
import type { DeployResult } from "../model/result.js";
import { familyRevision } from "../model/revision-tags.js";
import { newestOpen, type ServiceDeploymentView, type WaitPoint } from "../model/service-deployment.js";
import { type Strategy, withoutTestHook } from "../model/strategy.js";
import { shortDeploymentId } from "../model/traffic-shift.js";
import { alarmEvidence } from "./alarm-evidence.js";
import type { Context } from "./context.js";
import { stoppedTaskCauses } from "./failure-cause.js";
import { followShift, type ShiftOutcome, type TrafficView, trafficView } from "./follow-shift.js";
import { type CheckResult, resolveTestTarget, runTestCheck, type TestCheck } from "./test-check.js";

// A deploy of a BLUE_GREEN / CANARY / LINEAR service: ECS itself starts green beside blue, moves the
// test and production listener rules, bakes and cleans up; this CLI starts that service deployment,
// follows it stage by stage, tests green through the test listener at its own PAUSE hook when asked,
// and reports ECS's verdict. A failed deployment is rolled back by ECS (traffic back to blue).

export interface ShiftingDeploy {
  cluster: string;
  service: string;
  strategy: Strategy;
  /** The service as DescribeServices showed it before the deploy. */
  before: Service;
  servingArn: string;
  target: string;
  deployed: () => Promise<TaskDefinition>;
  /** The deploymentConfiguration to send with the deploy, when it changes. */
  configuration?: DeploymentConfiguration | undefined;
  addsTestHook: boolean;
  timeoutSeconds: number;
  rollback: boolean;
  waitUntil?: WaitPoint | undefined;
  test?: { check: TestCheck; baseUrl?: string | undefined } | undefined;
  rollbackAlarms: string[];
  /** --bake-time, when given: ECS's bakeTimeInMinutes for this deploy. */
  bakeSeconds?: number | undefined;
}

type Partial = Omit<
  DeployResult,
  | "command"
  | "cluster"
  | "service"
  | "images"
  | "changes"
  | "elapsedSeconds"
  | "previousTaskDefinition"
  | "stoppedTasks"
> & {
  stoppedTasks?: DeployResult["stoppedTasks"];
};

/** Where ECS's service deployment for our UpdateService is: a new ARN, never the one that was there. */
const FIND_DEPLOYMENT_MS = 20_000;

export async function deployShifting(ctx: Context, d: ShiftingDeploy): Promise<Partial> {
  const loadBalancers = d.before.loadBalancers ?? [];
  const testTarget = d.test ? await resolveTestTarget(ctx, loadBalancers, d.test.baseUrl) : undefined;
  const traffic = await trafficView(ctx, loadBalancers);
  const startedAt = ctx.clock.now();
  const updated = await ctx.ecs.updateTaskDefinition(d.cluster, d.service, d.target, d.configuration);
  try {
    return await follow(ctx, d, { updated, startedAt, traffic, testTarget });
  } finally {
    // The tool's PAUSE hook is for this run only: left on the service, every later deployment (the
    // console's, auto scaling's new tasks after a task definition change, `ecs rollback`) would stop
    // at a hook nobody answers and roll back when it times out. Changing only the configuration starts
    // no deployment, and the running one keeps the configuration it started with.
    if (d.addsTestHook && d.configuration) await removeTestHook(ctx, d);
  }
}

async function follow(
  ctx: Context,
  d: ShiftingDeploy,
  run: {
    updated: Service;
    startedAt: Date;
    traffic: TrafficView;
    testTarget?: Awaited<ReturnType<typeof resolveTestTarget>> | undefined;
  },
): Promise<Partial> {
  const arn = await serviceDeploymentOf(ctx, d, run.updated, run.startedAt);
  const deploymentId = primaryDeployment(run.updated)?.id;
  const base = {
    taskDefinition: d.target,
    strategy: d.strategy,
    serviceDeploymentArn: arn,
    ...(deploymentId ? { deploymentId } : {}),
  };
  ctx.reporter.info(
    `Updated ${d.service}: ${d.strategy} service deployment ${shortDeploymentId(arn)} of ${familyRevision(d.target)}`,
  );
  if (d.timeoutSeconds < 0) return { ...base, outcome: "started", exitCode: 0 };

  let testResult: CheckResult | undefined;
  const testCheck =
    d.test && run.testTarget
      ? async () => {
          testResult = await runTestCheck(ctx, d.test!.check, run.testTarget!, d.timeoutSeconds);
          return testResult;
        }
      : undefined;
  const watch = {
    cluster: d.cluster,
    service: d.service,
    strategy: d.strategy,
    serviceDeploymentArn: arn,
    startedAt: run.startedAt,
    timeoutSeconds: d.timeoutSeconds,
    traffic: run.traffic,
    waitUntil: d.waitUntil,
    testCheck,
    rollbackAlarms: d.rollbackAlarms,
  };
  let outcome = await followShift(ctx, watch);
  const tested = testResult ? { testCheck: testResult } : {};
  if (outcome.kind === "succeeded") {
    warnIfBakedLess(ctx, d.bakeSeconds, outcome.bakeEnteredAt);
    return {
      ...base,
      ...tested,
      outcome: "deployed",
      exitCode: 0,
      success: { rule: "service-deployment-successful", explanation: outcome.explanation },
    };
  }
  if (outcome.kind === "reached") {
    return {
      ...base,
      ...tested,
      outcome: "reached",
      exitCode: 0,
      stage: outcome.point === "SUCCESSFUL" ? "SUCCESSFUL" : (outcome.view.stage ?? outcome.point),
      ...(outcome.hook ? { hookId: outcome.hook.hookId } : {}),
    };
  }
  let timedOut: string | undefined;
  if (outcome.kind === "timeout") {
    timedOut = outcome.explanation;
    if (!d.rollback)
      return {
        ...base,
        ...tested,
        outcome: "failed",
        exitCode: 2,
        failure: { reason: "timeout", explanation: timedOut },
      };
    ctx.reporter.warn(`${timedOut}: stopping the deployment with a rollback`);
    await stopServiceDeploymentWithRollback(ctx.clients.ecs, arn);
    outcome = await followShift(ctx, {
      ...watch,
      startedAt: ctx.clock.now(),
      timeoutSeconds: Math.max(d.timeoutSeconds, 60),
      waitUntil: undefined,
      testCheck: undefined,
      rollbackAlarms: [],
    });
  }
  return failed(ctx, d, base, outcome, timedOut, tested);
}

async function failed(
  ctx: Context,
  d: ShiftingDeploy,
  base: Pick<DeployResult, "taskDefinition" | "strategy" | "serviceDeploymentArn" | "deploymentId">,
  outcome: ShiftOutcome,
  timedOut: string | undefined,
  tested: Pick<DeployResult, "testCheck">,
): Promise<Partial> {
  const view = outcome.kind === "failed" || outcome.kind === "timeout" ? outcome.view : undefined;
  const status = outcome.kind === "failed" ? outcome.status : (view?.status ?? "UNKNOWN");
  const ecsSays =
    outcome.kind === "failed" ? outcome.explanation : outcome.kind === "timeout" ? outcome.explanation : "";
  const cause = outcome.kind === "failed" ? outcome.cause : undefined;
  const reason = timedOut
    ? "timeout"
    : (cause?.reason ?? (view?.alarms?.triggered.length ? "alarm" : "service-deployment"));
  const explanation = [timedOut, cause?.explanation, ecsSays].filter(Boolean).join("; ");
  const tracked = { deploymentId: base.deploymentId ?? "", taskDefinition: d.target, startedAt: new Date(0) };
  const [stoppedTasks, alarm] = await Promise.all([
    stoppedTaskCauses(ctx, d.cluster, d.service, tracked, await d.deployed()),
    triggeredAlarm(ctx, view, cause?.alarm, d.deployed),
  ]);
  const common = {
    ...base,
    ...tested,
    failure: { reason, explanation },
    stoppedTasks,
    ...(alarm ? { alarm } : {}),
  } as const;
  const rollback = (completed: boolean) => ({
    method: "ECS service deployment" as const,
    to: d.servingArn,
    completed,
  });
  if (status === "ROLLBACK_SUCCESSFUL")
    return { ...common, outcome: "rolled-back", exitCode: 1, rollback: rollback(true) };
  if (status === "ROLLBACK_FAILED")
    return {
      ...common,
      outcome: "rollback-failed",
      exitCode: 2,
      rollback: { ...rollback(false), explanation: view?.statusReason ?? "ECS reports ROLLBACK_FAILED" },
    };
  return { ...common, outcome: "failed", exitCode: 2 };
}

/**
 * A region may bake less than bakeTimeInMinutes asks (the local region caps bakes at the spec's
 * local.maxDeploymentBakeSeconds): say so, since the version was guarded for less time than asked.
 */
function warnIfBakedLess(
  ctx: Context,
  askedSeconds: number | undefined,
  bakeEnteredAt: Date | undefined,
): void {
  if (askedSeconds === undefined || !bakeEnteredAt) return;
  const baked = (ctx.clock.now().getTime() - bakeEnteredAt.getTime()) / 1000;
  // The bake ECS ran is whole minutes, rounded up from --bake-time; a poll interval of slack.
  const asked = Math.ceil(askedSeconds / 60) * 60;
  if (baked + ctx.pollIntervalMs / 1000 + 1 >= asked) return;
  ctx.reporter.warn(
    `ECS baked for about ${Math.round(baked)} s, less than the ${asked / 60} min asked (a region that caps bakes, such as the local region's local.maxDeploymentBakeSeconds): the deployment alarms guarded it for that long only`,
  );
}

/** The alarm behind a rollback (ECS's triggered deployment alarm, or the --rollback-alarm we acted on), with its evidence. */
async function triggeredAlarm(
  ctx: Context,
  view: ServiceDeploymentView | undefined,
  ours: string | undefined,
  deployed: () => Promise<TaskDefinition>,
): Promise<AlarmEvidence | undefined> {
  const name = ours ?? view?.alarms?.triggered[0];
  if (!name) return undefined;
  try {
    const [alarm] = await describeAlarms(ctx.clients, [name]);
    return alarm
      ? await alarmEvidence(ctx, alarm, await deployed())
      : { name, stateReason: "", logLines: [] };
  } catch {
    return { name, stateReason: "", logLines: [] };
  }
}

/**
 * The service deployment our UpdateService started: the service's currentServiceDeployment when it
 * is new, else the newest open one ListServiceDeployments lists that was not there before. Following
 * the previous (finished) deployment would report its old SUCCESSFUL as ours.
 */
async function serviceDeploymentOf(
  ctx: Context,
  d: ShiftingDeploy,
  updated: Service,
  startedAt: Date,
): Promise<string> {
  const previous = d.before.currentServiceDeployment;
  if (updated.currentServiceDeployment && updated.currentServiceDeployment !== previous) {
    return updated.currentServiceDeployment;
  }
  const until = startedAt.getTime() + FIND_DEPLOYMENT_MS;
  for (;;) {
    const open = await listServiceDeployments(ctx.clients.ecs, d.cluster, d.service, {
      limit: 10,
      status: ["PENDING", "IN_PROGRESS"],
    });
    const ours = newestOpen(
      open
        .filter((b) => b.serviceDeploymentArn && b.serviceDeploymentArn !== previous)
        .map((b) => ({ ...b, status: b.status ?? "PENDING" })),
    );
    if (ours?.serviceDeploymentArn) return ours.serviceDeploymentArn;
    if (ctx.clock.now().getTime() >= until) {
      throw new Error(
        `ECS listed no new service deployment for ${d.service} within ${FIND_DEPLOYMENT_MS / 1000}s of UpdateService`,
      );
    }
    await ctx.clock.sleep(ctx.pollIntervalMs);
  }
}

async function removeTestHook(ctx: Context, d: ShiftingDeploy): Promise<void> {
  try {
    await ctx.ecs.updateDeploymentConfiguration(
      d.cluster,
      d.service,
      withoutTestHook(d.configuration!, d.before.deploymentConfiguration),
    );
    ctx.reporter.info(
      `Removed the test hook from ${d.service}'s deployment configuration (its own hooks kept)`,
    );
  } catch (error) {
    ctx.reporter.warn(
      `could not remove the test hook from ${d.service} (${(error as Error).name}): remove the PAUSE hook at POST_TEST_TRAFFIC_SHIFT by hand`,
    );
  }
}
