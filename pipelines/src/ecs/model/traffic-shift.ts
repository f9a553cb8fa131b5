import { formatBakeTime } from "./bake-time.js";

// Where the traffic of a traffic-shifting deploy is, read from the listener rules ECS moves, and the
// progress line of such a deploy. Pure.

export interface WeightedGroup {
  targetGroupArn: string;
  weight: number;
}

/**
 * Which of the service's two target groups is blue when a deploy starts: the one production sends
 * its traffic to (the groups swap roles from one deploy to the next). Ties go to the primary group.
 */
export function blueAndGreen(
  production: readonly WeightedGroup[],
  primary: string,
  alternate: string,
): { blue: string; green: string } {
  const weight = (arn: string) => production.find((g) => g.targetGroupArn === arn)?.weight ?? 0;
  return weight(alternate) > weight(primary)
    ? { blue: alternate, green: primary }
    : { blue: primary, green: alternate };
}

/** Green's share of a rule's forward weights in percent; undefined when the rule forwards nowhere. */
export function greenPercent(groups: readonly WeightedGroup[], green: string): number | undefined {
  const total = groups.reduce((sum, g) => sum + Math.max(g.weight, 0), 0);
  if (total === 0) return undefined;
  const mine = groups.find((g) => g.targetGroupArn === green)?.weight ?? 0;
  return Math.round((Math.max(mine, 0) / total) * 100);
}

/** One look at a BLUE_GREEN / CANARY / LINEAR deploy. */
export interface ShiftProgress {
  serviceDeploymentArn: string;
  strategy: string;
  status: string;
  stage: string;
  /** Green's share of production traffic (percent), when the production rule could be read. */
  productionGreenPercent?: number | undefined;
  /** Whether the test listener sends to green, when there is a test rule. */
  testOnGreen?: boolean | undefined;
  green: { running: number; desired: number; healthyTargets?: number | undefined };
  /** Seconds of ECS's bake left, during BAKE_TIME. */
  bakeSecondsLeft?: number | undefined;
  /** What would roll the deployment back now. */
  rollbackTriggers: string[];
  /** A PAUSE hook ECS waits on. */
  pausedHookId?: string | undefined;
  elapsedSeconds: number;
}

/** The short id at the end of a service deployment ARN. */
export function shortDeploymentId(arn: string): string {
  return arn.slice(arn.lastIndexOf("/") + 1);
}

export function describeShift(p: ShiftProgress): string {
  const parts = [`${p.status} ${p.stage}`];
  if (p.productionGreenPercent !== undefined) parts.push(`production ${p.productionGreenPercent}% green`);
  if (p.testOnGreen !== undefined) parts.push(`test listener ${p.testOnGreen ? "on green" : "on blue"}`);
  const healthy = p.green.healthyTargets === undefined ? "" : `, ${p.green.healthyTargets} healthy targets`;
  parts.push(`green ${p.green.running}/${p.green.desired} running${healthy}`);
  if (p.bakeSecondsLeft !== undefined) parts.push(`bake ${formatBakeTime(p.bakeSecondsLeft)} left`);
  if (p.pausedHookId) parts.push(`paused at hook ${p.pausedHookId}`);
  if (p.rollbackTriggers.length > 0) parts.push(`rolls back on ${p.rollbackTriggers.join(" or ")}`);
  return parts.join("; ");
}

/**
 * What makes two progress looks "the same" for the CI logs: everything but the clock, with the bake
 * left in whole minutes so a long bake still shows a line a minute.
 */
export function shiftProgressKey(p: ShiftProgress): string {
  const { elapsedSeconds: _e, bakeSecondsLeft, ...state } = p;
  return JSON.stringify({
    ...state,
    bakeMinutesLeft: bakeSecondsLeft === undefined ? undefined : Math.ceil(bakeSecondsLeft / 60),
  });
}
