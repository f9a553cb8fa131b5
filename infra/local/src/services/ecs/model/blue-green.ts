import { AwsError, type ListenerRules } from "../../../contracts.js";
import { addEvent, type ModelContext, nowSeconds, stateOf } from "./context.js";
import { deploymentTargetGroups, idleTargetGroups } from "./deployment-target-groups.js";
import { eventMessages } from "./events.js";
import type { StopOrder } from "./rollout.js";
import { shiftsTraffic } from "./strategy-input.js";
import { canRollBack, newShift, planShift } from "./traffic-shift.js";
import type { DeploymentRecord, ServiceDeploymentRecord, ServiceRecord, TaskRecord } from "./types.js";
import { invalid } from "./validation.js";

// Blue/green, canary and linear deployments applied to the model: the shift a new deployment starts,
// each scheduler pass over it (tasks, stages, rule weights), ContinueServiceDeployment, and the
// rollback that puts production back on blue at once.

/** Whether a new deployment of this service shifts traffic, and from which deployment (blue). */
export function shiftSource(service: ServiceRecord): DeploymentRecord | undefined {
  if (!shiftsTraffic(service.deploymentConfiguration.strategy)) return undefined;
  if (service.loadBalancers.length === 0 || service.loadBalancers.some((lb) => !lb.advancedConfiguration)) {
    return undefined;
  }
  // The last deployment that completed is what serves production; a first deployment has no blue.
  return service.deployments.find((d) => d.rolloutState === "COMPLETED");
}

/** Sets a new deployment up to shift traffic from `blue`: its groups are the idle ones. */
export function beginShift(
  ctx: ModelContext,
  service: ServiceRecord,
  green: DeploymentRecord,
  blue: DeploymentRecord,
  sd: ServiceDeploymentRecord,
): void {
  green.targetGroups = idleTargetGroups({
    ...service,
    liveTargetGroups: deploymentTargetGroups(service, blue),
  });
  const others = service.deployments.some((d) => d.id !== green.id && d.id !== blue.id);
  sd.shift = newShift(blue.id, nowSeconds(ctx), others);
}

export function openShift(ctx: ModelContext, service: ServiceRecord) {
  const green = service.deployments.find((d) => d.status === "PRIMARY");
  const sd = green && stateOf(ctx).serviceDeployments[green.serviceDeploymentArn];
  const blue = sd?.shift && service.deployments.find((d) => d.id === sd.shift?.sourceDeploymentId);
  if (!green || !sd?.shift || !blue || sd.shift.rolledBackAt !== undefined) return undefined;
  if (sd.status !== "IN_PROGRESS") return undefined;
  return { green, blue, sd, shift: sd.shift };
}

export interface ShiftPassResult {
  start: { deploymentId: string; count: number }[];
  stop: StopOrder[];
  completed?: string;
}

/** One scheduler pass over a service whose primary deployment is shifting traffic. */
export function shiftPass(
  ctx: ModelContext,
  service: ServiceRecord,
  tasks: TaskRecord[],
  open: NonNullable<ReturnType<typeof openShift>>,
): ShiftPassResult {
  const { green, blue, sd } = open;
  const before = sd.shift?.stage;
  const plan = planShift({
    service,
    sd,
    green,
    blue,
    tasks,
    now: nowSeconds(ctx),
    alarms: ctx.alarms,
    maxBakeSeconds: ctx.maxBakeSeconds,
  });
  if (plan.rollback) {
    if (plan.triggeredAlarmNames) sd.triggeredAlarmNames = plan.triggeredAlarmNames;
    rollBackShift(ctx, service, sd, plan.rollback);
    return { start: [], stop: plan.stop };
  }
  if (sd.shift && sd.shift.stage !== before) {
    sd.updatedAt = nowSeconds(ctx);
    addEvent(ctx, service, stageEvent(service, green, sd));
  }
  applyWeights(ctx, service, sd);
  if (plan.complete) {
    service.liveTargetGroups = sameAsOwn(service, deploymentTargetGroups(service, green));
    service.deployments = service.deployments.filter((d) => d.id === green.id);
    return { start: [], stop: [], completed: green.id };
  }
  return { start: plan.start, stop: plan.stop };
}

function sameAsOwn(service: ServiceRecord, groups: string[]): string[] | undefined {
  return groups.every((arn, i) => arn === service.loadBalancers[i]?.targetGroupArn) ? undefined : groups;
}

function stageEvent(service: ServiceRecord, green: DeploymentRecord, sd: ServiceDeploymentRecord): string {
  const shift = sd.shift;
  const traffic = shift
    ? ` (production ${shift.productionPercent}% green, test ${shift.testOnGreen ? "green" : "blue"})`
    : "";
  return `(service ${service.serviceName}) (deployment ${green.id}) entered lifecycle stage ${shift?.stage}${traffic}.`;
}

/**
 * Puts production and test traffic back on blue at once, then lets green's tasks drain and stop
 * (the rolling rules scale an ACTIVE deployment in). Blue stays as it is: nothing is started again,
 * and no revision is deregistered.
 */
export function rollBackShift(
  ctx: ModelContext,
  service: ServiceRecord,
  sd: ServiceDeploymentRecord,
  reason: string,
): void {
  const shift = sd.shift;
  const green = service.deployments.find((d) => d.id === sd.deploymentId);
  const blue = service.deployments.find((d) => d.id === shift?.sourceDeploymentId);
  if (!shift || !green || !blue) return;
  if (!canRollBack(shift)) {
    throw new AwsError(
      "ConflictException",
      `The service deployment is in ${shift.stage}: blue is being stopped, so traffic can't go back to it; deploy the previous revision instead.`,
    );
  }
  const now = nowSeconds(ctx);
  shift.rolledBackAt = now;
  applyWeights(ctx, service, sd);
  green.status = "ACTIVE";
  green.rolloutState = "FAILED";
  green.rolloutStateReason = reason;
  green.updatedAt = now;
  blue.status = "PRIMARY";
  blue.updatedAt = now;
  service.taskDefinition = blue.taskDefinition;
  service.steady = false;
  Object.assign(sd, {
    status: "ROLLBACK_IN_PROGRESS",
    statusReason: reason,
    updatedAt: now,
    rollback: { reason, startedAt: now, serviceRevisionArn: blue.serviceRevisionArn },
  });
  addEvent(
    ctx,
    service,
    eventMessages.deploymentFailed(service.serviceName, green.id, reason.replace(/\.$/, "")),
  );
  addEvent(ctx, service, eventMessages.rollingBack(service.serviceName, blue.id));
}

/** A rolled-back shift is done once green has no task left. */
export function settleRollback(ctx: ModelContext, service: ServiceRecord, tasks: TaskRecord[]): void {
  for (const sd of Object.values(stateOf(ctx).serviceDeployments)) {
    if (sd.serviceArn !== service.serviceArn || sd.status !== "ROLLBACK_IN_PROGRESS") continue;
    if (sd.shift?.rolledBackAt === undefined) continue;
    if (tasks.some((t) => t.deploymentId === sd.deploymentId && t.lastStatus !== "STOPPED")) continue;
    const now = nowSeconds(ctx);
    Object.assign(sd, { status: "ROLLBACK_SUCCESSFUL", finishedAt: now, updatedAt: now });
  }
}

/** Superseded by a newer deployment: the shift's traffic goes back to its blue first. */
export function supersedeShift(ctx: ModelContext, service: ServiceRecord, sd: ServiceDeploymentRecord): void {
  if (!sd.shift || sd.shift.rolledBackAt !== undefined) return;
  sd.shift.rolledBackAt = nowSeconds(ctx);
  applyWeights(ctx, service, sd);
}

export interface ContinueInput {
  serviceDeploymentArn?: string | undefined;
  hookId?: string | undefined;
  action?: string | undefined;
}

/** ContinueServiceDeployment: a PAUSE hook that is AWAITING_ACTION goes on, or rolls the deployment back. */
export function continueServiceDeployment(ctx: ModelContext, input: ContinueInput): ServiceDeploymentRecord {
  if (!input.serviceDeploymentArn) throw invalid("serviceDeploymentArn is required.");
  if (!input.hookId)
    throw invalid("hookId is required: DescribeServiceDeployments lists it in lifecycleHookDetails.");
  const action = input.action ?? "CONTINUE";
  if (action !== "CONTINUE" && action !== "ROLLBACK")
    throw invalid(`action must be CONTINUE or ROLLBACK; got ${action}.`);
  const sd = stateOf(ctx).serviceDeployments[input.serviceDeploymentArn];
  if (!sd) throw new AwsError("ServiceDeploymentNotFoundException", "The service deployment does not exist.");
  const hook = sd.shift?.hooks.find((h) => h.hookId === input.hookId);
  if (!hook) {
    throw invalid(
      `The service deployment has no lifecycle hook ${input.hookId}; DescribeServiceDeployments lists its hooks.`,
    );
  }
  if (sd.status !== "IN_PROGRESS") {
    throw new AwsError(
      "ConflictException",
      `The service deployment is ${sd.status}; only an IN_PROGRESS one can be continued.`,
    );
  }
  if (hook.status !== "AWAITING_ACTION") {
    throw new AwsError(
      "ConflictException",
      `The lifecycle hook ${hook.hookId} is ${hook.status}, not AWAITING_ACTION.`,
    );
  }
  const service = stateOf(ctx).services[sd.serviceArn] as ServiceRecord;
  sd.updatedAt = nowSeconds(ctx);
  if (action === "CONTINUE") {
    hook.status = "SUCCEEDED";
    return sd;
  }
  hook.status = "FAILED";
  rollBackShift(
    ctx,
    service,
    sd,
    "Service deployment rolled back because of a ContinueServiceDeployment request (ROLLBACK).",
  );
  return sd;
}

/** The region restarted mid-shift (every task is gone): roll back, or finish one that was cleaning up. */
export function afterRestart(ctx: ModelContext, service: ServiceRecord): void {
  const open = openShift(ctx, service);
  if (!open) return;
  if (canRollBack(open.shift)) {
    rollBackShift(
      ctx,
      service,
      open.sd,
      "Service deployment rolled back because the local region restarted during it.",
    );
    return;
  }
  open.shift.stage = "CLEAN_UP";
}

/** The weights the shift's stage calls for, on each load balancer's production and test rules. */
export function applyWeights(ctx: ModelContext, service: ServiceRecord, sd: ServiceDeploymentRecord): void {
  const shift = sd.shift;
  const green = service.deployments.find((d) => d.id === sd.deploymentId);
  const blue = service.deployments.find((d) => d.id === shift?.sourceDeploymentId);
  if (!shift || !green || !blue) return;
  const back = shift.rolledBackAt !== undefined;
  const blueGroups = deploymentTargetGroups(service, blue);
  const greenGroups = deploymentTargetGroups(service, green);
  service.loadBalancers.forEach((lb, i) => {
    const advanced = lb.advancedConfiguration;
    const pair = { blue: blueGroups[i] as string, green: greenGroups[i] as string };
    if (!advanced || pair.blue === pair.green) return;
    const production = back ? 0 : shift.productionPercent;
    moveWeights(ctx, service, advanced.productionListenerRule, pair, production);
    if (advanced.testListenerRule) {
      moveWeights(ctx, service, advanced.testListenerRule, pair, !back && shift.testOnGreen ? 100 : 0);
    }
  });
}

function moveWeights(
  ctx: ModelContext,
  service: ServiceRecord,
  ruleArn: string,
  pair: { blue: string; green: string },
  greenPercent: number,
): void {
  const wanted = weightsFor(pair, greenPercent);
  try {
    if (sameWeights(ctx.traffic, ruleArn, wanted)) return;
    ctx.traffic.setWeights(ruleArn, wanted);
  } catch (error) {
    addEvent(
      ctx,
      service,
      `(service ${service.serviceName}) failed to modify (listener-rule ${ruleArn}) with (error ${(error as Error).message}).`,
    );
  }
}

/**
 * ELBv2 weights are integers up to 999 and ECS's percents come in tenths, so a share is written as
 * the smallest integer pair with that ratio (10 % = 1 : 9, 25 % = 1 : 3, 33.3 % = 333 : 667).
 */
export function weightsFor(pair: { blue: string; green: string }, greenPercent: number) {
  const green = Math.round(Math.min(100, Math.max(0, greenPercent)) * 10);
  const blue = 1000 - green;
  const d = gcd(green, blue);
  return [
    { arn: pair.blue, weight: blue / d },
    { arn: pair.green, weight: green / d },
  ];
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

function sameWeights(
  rules: ListenerRules,
  ruleArn: string,
  wanted: { arn: string; weight: number }[],
): boolean {
  const forward = rules.describe(ruleArn).actions.find((a) => a.type === "forward");
  const share = (groups: { arn: string; weight: number }[], arn: string) => {
    const total = groups.reduce((sum, g) => sum + g.weight, 0);
    return total === 0 ? 0 : (groups.find((g) => g.arn === arn)?.weight ?? 0) / total;
  };
  const current = forward?.targetGroups ?? [];
  return (
    current.length === wanted.length &&
    wanted.every((w) => current.some((c) => c.arn === w.arn)) &&
    wanted.every((w) => Math.abs(share(current, w.arn) - share(wanted, w.arn)) < 1e-9)
  );
}
