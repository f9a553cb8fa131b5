import type { TaskDefinition } from "@aws-sdk/client-ecs";
import { describeAlarms } from "../aws/cloudwatch.js";
import {
  type AlarmEvidence,
  type AlarmView,
  defaultBakeSeconds,
  firstAlarm,
  missingAlarms,
  watchedAlarmNames,
} from "../model/alarm-watch.js";
import { formatBakeTime } from "../model/bake-time.js";
import { alarmEvidence } from "./alarm-evidence.js";
import type { Context } from "./context.js";

export interface AlarmWatch {
  cluster: string;
  service: string;
  /** --rollback-alarm names. */
  alarmNames: string[];
  /** The service's deploymentConfiguration.alarms when the deploy began: watched too. */
  deploymentAlarms?: { alarmNames?: string[]; enable?: boolean } | undefined;
  /** When the deploy began: an alarm already in ALARM then does not count. */
  since: Date;
  /** The deployed revision: its awslogs options name the log group the evidence comes from. */
  taskDefinition: TaskDefinition;
}

export type BakeOutcome = { kind: "passed"; seconds: number } | { kind: "alarm"; alarm: AlarmEvidence };

/**
 * After the rollout completed, watch the alarms for the bake time (--bake-time, else the longest
 * time a breach of a --rollback-alarm takes to show) and stop at the first that goes to ALARM.
 * This is the rolling-update bake; a blue/green-family service takes --bake-time as ECS's own bake
 * time instead (core/deploy-shifting.ts: ECS bakes, this is not called).
 */
export async function bake(
  ctx: Context,
  watch: AlarmWatch,
  bakeSeconds: number | undefined,
): Promise<BakeOutcome> {
  const names = watchedAlarmNames(watch.alarmNames, watch.deploymentAlarms);
  if (names.length === 0) return { kind: "passed", seconds: 0 };
  let alarms = await describeAlarms(ctx.clients, names);
  const missing = missingAlarms(watch.alarmNames, alarms);
  if (missing.length > 0) ctx.reporter.warn(`no such alarm: ${missing.join(", ")} (not watched)`);
  // ECS itself baked the service's deployment alarms before it called the rollout COMPLETED, so
  // only the --rollback-alarm ones set the default; all of them are watched for whatever is set.
  const seconds = bakeSeconds ?? defaultBakeSeconds(alarms.filter((a) => watch.alarmNames.includes(a.name)));
  if (seconds === 0 || alarms.length === 0) return { kind: "passed", seconds: 0 };
  ctx.reporter.info(
    `Baking for ${formatBakeTime(seconds)}: watching ${alarms.map((a) => a.name).join(", ")}`,
  );
  const until = ctx.clock.now().getTime() + seconds * 1000;
  for (;;) {
    const fired = firstAlarm(alarms, watch.since);
    if (fired) return { kind: "alarm", alarm: await alarmEvidence(ctx, fired, watch.taskDefinition) };
    if (ctx.clock.now().getTime() >= until) return { kind: "passed", seconds };
    await ctx.clock.sleep(Math.min(ctx.pollIntervalMs, Math.max(until - ctx.clock.now().getTime(), 1)));
    alarms = await describeAlarms(ctx.clients, names);
  }
}

/** The watched alarm in ALARM when a rollout failed (ECS's deployment alarms fail it themselves). */
export async function alarmThatFailed(ctx: Context, watch: AlarmWatch): Promise<AlarmEvidence | undefined> {
  try {
    const names = watchedAlarmNames(watch.alarmNames, watch.deploymentAlarms);
    if (names.length === 0) return undefined;
    const fired: AlarmView | undefined = firstAlarm(await describeAlarms(ctx.clients, names), watch.since);
    return fired ? await alarmEvidence(ctx, fired, watch.taskDefinition) : undefined;
  } catch {
    return undefined;
  }
}
