import type { TaskDefinition } from "@aws-sdk/client-ecs";
import { awslogsOf, filterLogEvents, metricFilterOf } from "../aws/logs.js";
import type { AlarmEvidence, AlarmView } from "../model/alarm-watch.js";
import type { Context } from "./context.js";

const LOG_LINES = 10;
/** Lines from at least the last minute, even for an alarm with a shorter period. */
const MIN_WINDOW_SECONDS = 60;

/**
 * What a person needs to see of the alarm that failed a deploy: its StateReason and the last log
 * lines behind it — the metric filter's group and pattern when the alarm's metric comes from one,
 * else the service's own log group (its task definition's awslogs options) — over the alarm's
 * evaluation window. The logs are evidence, not a verdict: reading them never fails the deploy.
 */
export async function alarmEvidence(
  ctx: Context,
  alarm: AlarmView,
  taskDefinition: TaskDefinition,
): Promise<AlarmEvidence> {
  const evidence: AlarmEvidence = { name: alarm.name, stateReason: alarm.stateReason, logLines: [] };
  try {
    const source = await logSource(ctx, alarm, taskDefinition);
    if (!source) return evidence;
    const end = ctx.clock.now().getTime();
    const start = end - Math.max(alarm.evaluationSeconds, MIN_WINDOW_SECONDS) * 1000;
    const { events } = await filterLogEvents(ctx.clients, { ...source, startTime: start, endTime: end });
    return {
      ...evidence,
      logGroup: source.logGroupName,
      ...(source.filterPattern ? { filterPattern: source.filterPattern } : {}),
      logLines: events.slice(-LOG_LINES).map((e) => e.message),
    };
  } catch (error) {
    ctx.reporter.warn(`could not read the logs behind ${alarm.name} (${(error as Error).name})`);
    return evidence;
  }
}

async function logSource(ctx: Context, alarm: AlarmView, taskDefinition: TaskDefinition) {
  const filter = alarm.metric ? await metricFilterOf(ctx.clients, alarm.metric) : undefined;
  if (filter) return filter;
  const awslogs = awslogsOf(taskDefinition.containerDefinitions ?? []);
  return awslogs ? { logGroupName: awslogs.logGroupName, filterPattern: undefined } : undefined;
}
