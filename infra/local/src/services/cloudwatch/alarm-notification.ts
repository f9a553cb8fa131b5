import type { AlarmHistoryItem } from "@aws-sdk/client-cloudwatch";
import { isoDate, javaDouble } from "./alarm-reason.js";
import type { AlarmRecord, Transition } from "./alarm-record.js";

// What an alarm's SNS action publishes and what the alarm's history says about it, in AWS's
// shapes: the subject `ALARM: "name" in US East (N. Virginia)`, the JSON message a Lambda or an
// HTTP subscriber parses, and the Action history item ("Successfully executed action ..." or
// "Failed to execute action ... Received error: ..."). Pure: the runtime publishes and records.

export interface AlarmNotification {
  subject: string;
  message: string;
}

/** The names CloudWatch writes in a notification's Subject and Region, not the console's newer "Europe (...)". */
const REGION_NAMES: Record<string, string> = {
  "us-east-1": "US East (N. Virginia)",
  "us-east-2": "US East (Ohio)",
  "us-west-1": "US West (N. California)",
  "us-west-2": "US West (Oregon)",
  "ca-central-1": "Canada (Central)",
  "eu-west-1": "EU (Ireland)",
  "eu-west-2": "EU (London)",
  "eu-west-3": "EU (Paris)",
  "eu-central-1": "EU (Frankfurt)",
  "eu-central-2": "EU (Zurich)",
  "eu-north-1": "EU (Stockholm)",
  "eu-south-1": "EU (Milan)",
  "eu-south-2": "EU (Spain)",
  "ap-northeast-1": "Asia Pacific (Tokyo)",
  "ap-northeast-2": "Asia Pacific (Seoul)",
  "ap-northeast-3": "Asia Pacific (Osaka)",
  "ap-southeast-1": "Asia Pacific (Singapore)",
  "ap-southeast-2": "Asia Pacific (Sydney)",
  "ap-south-1": "Asia Pacific (Mumbai)",
  "ap-east-1": "Asia Pacific (Hong Kong)",
  "sa-east-1": "South America (Sao Paulo)",
  "me-south-1": "Middle East (Bahrain)",
  "af-south-1": "Africa (Cape Town)",
};

/** SNS refuses a longer Subject; CloudWatch cuts a long alarm name's subject rather than fail. */
const MAX_SUBJECT = 100;

export function regionName(region: string): string {
  return REGION_NAMES[region] ?? region;
}

/** The alarm's region and account, as its ARN names them: `arn:aws:cloudwatch:<region>:<account>:alarm:<name>`. */
function scopeOf(alarm: AlarmRecord): { region: string; accountId: string } {
  const [, , , region = "", accountId = ""] = alarm.alarmArn.split(":");
  return { region, accountId };
}

export function alarmNotification(alarm: AlarmRecord, transition: Transition): AlarmNotification {
  const subject = `${transition.to}: "${alarm.config.alarmName}" in ${regionName(scopeOf(alarm).region)}`;
  return { subject: subject.slice(0, MAX_SUBJECT), message: alarmMessage(alarm, transition) };
}

/**
 * The Message: CloudWatch's field order, `null` for an absent description or unit, numbers as
 * Java writes doubles (`"Threshold":5.0`), so that a parser written against real e-mails reads it.
 */
function alarmMessage(alarm: AlarmRecord, transition: Transition): string {
  const { config } = alarm;
  const scope = scopeOf(alarm);
  const fields: [string, string][] = [
    ["AlarmName", json(config.alarmName)],
    ["AlarmDescription", json(config.alarmDescription ?? null)],
    ["AWSAccountId", json(scope.accountId)],
    ["AlarmConfigurationUpdatedTimestamp", json(isoDate(alarm.configurationUpdatedTimestamp))],
    ["NewStateValue", json(transition.to)],
    ["NewStateReason", json(alarm.stateReason)],
    ["StateChangeTime", json(isoDate(alarm.stateTransitionedTimestamp))],
    ["Region", json(regionName(scope.region))],
    ["AlarmArn", json(alarm.alarmArn)],
    ["OldStateValue", json(transition.from)],
    ["OKActions", json(config.okActions)],
    ["AlarmActions", json(config.alarmActions)],
    ["InsufficientDataActions", json(config.insufficientDataActions)],
    ["Trigger", trigger(alarm)],
  ];
  return object(fields);
}

function trigger({ config }: AlarmRecord): string {
  const statistic: [string, string][] =
    config.statistic.kind === "basic"
      ? [
          ["StatisticType", json("Statistic")],
          ["Statistic", json(upperSnake(config.statistic.name))],
        ]
      : [
          ["StatisticType", json("ExtendedStatistic")],
          ["ExtendedStatistic", json(config.statistic.label)],
        ];
  const dimensions = config.metric.dimensions.map((d) => ({ value: d.Value, name: d.Name }));
  return object([
    ["MetricName", json(config.metric.metricName)],
    ["Namespace", json(config.metric.namespace)],
    ...statistic,
    ["Unit", json(config.unit ?? null)],
    ["Dimensions", json(dimensions)],
    ["Period", String(config.period)],
    ["EvaluationPeriods", String(config.evaluationPeriods)],
    ...(config.datapointsToAlarm !== undefined
      ? [["DatapointsToAlarm", String(config.datapointsToAlarm)] as [string, string]]
      : []),
    ["ComparisonOperator", json(config.comparisonOperator)],
    ["Threshold", javaDouble(config.threshold)],
    ["TreatMissingData", json(config.treatMissingData)],
    ["EvaluateLowSampleCountPercentile", json(config.evaluateLowSampleCountPercentile ?? "")],
  ]);
}

export type ActionOutcome = { ok: true; published: AlarmNotification } | { ok: false; error: string };

/** The Action item DescribeAlarmHistory lists after each action of a transition. */
export function actionHistoryItem(
  alarm: AlarmRecord,
  action: string,
  outcome: ActionOutcome,
  now: number,
): AlarmHistoryItem {
  const summary = outcome.ok
    ? `Successfully executed action ${action}`
    : `Failed to execute action ${action}. Received error: "${outcome.error}"`;
  const data = {
    actionState: outcome.ok ? "Succeeded" : "Failed",
    stateUpdateTimestamp: alarm.stateTransitionedTimestamp,
    notificationResource: action,
    ...(outcome.ok ? { publishedMessage: outcome.published.message } : { error: outcome.error }),
  };
  return {
    AlarmName: alarm.config.alarmName,
    AlarmType: "MetricAlarm",
    Timestamp: new Date(now),
    HistoryItemType: "Action",
    HistorySummary: summary,
    HistoryData: JSON.stringify(data),
  };
}

const json = (value: unknown) => JSON.stringify(value);
const object = (fields: [string, string][]) => `{${fields.map(([k, v]) => `${json(k)}:${v}`).join(",")}}`;
/** SampleCount → SAMPLE_COUNT, Average → AVERAGE: the statistic as the notification spells it. */
const upperSnake = (name: string) => name.replace(/([a-z])([A-Z])/g, "$1_$2").toUpperCase();
