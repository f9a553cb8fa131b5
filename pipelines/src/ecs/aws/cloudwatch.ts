import { DescribeAlarmsCommand, type MetricAlarm } from "@aws-sdk/client-cloudwatch";
import type { AlarmView } from "../model/alarm-watch.js";
import type { Clients } from "./clients.js";

/** DescribeAlarms takes at most 100 names a call. */
const NAMES_PER_CALL = 100;

/** The named metric alarms that exist (cloudwatch:DescribeAlarms). */
export async function describeAlarms(clients: Clients, names: readonly string[]): Promise<AlarmView[]> {
  const views: AlarmView[] = [];
  for (let i = 0; i < names.length; i += NAMES_PER_CALL) {
    const answer = await clients.cloudwatch.send(
      new DescribeAlarmsCommand({
        AlarmNames: names.slice(i, i + NAMES_PER_CALL),
        AlarmTypes: ["MetricAlarm"],
      }),
    );
    views.push(...(answer.MetricAlarms ?? []).map(alarmView));
  }
  return views;
}

function alarmView(alarm: MetricAlarm): AlarmView {
  // A breach that begins mid-period shows once the period after the evaluated ones is over.
  const evaluationSeconds = (alarm.Period ?? 0) * ((alarm.EvaluationPeriods ?? 0) + 1);
  return {
    name: alarm.AlarmName ?? "",
    state: alarm.StateValue ?? "INSUFFICIENT_DATA",
    stateReason: alarm.StateReason ?? "",
    transitionedAt: alarm.StateTransitionedTimestamp ?? alarm.StateUpdatedTimestamp ?? new Date(0),
    evaluationSeconds,
    ...(alarm.MetricName && alarm.Namespace
      ? { metric: { name: alarm.MetricName, namespace: alarm.Namespace } }
      : {}),
  };
}
