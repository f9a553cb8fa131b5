import type { LogLines } from "@platform/env";
import { alarmUrl, logEventsUrl } from "./console-url.js";
import { type AlarmNotification, parseAwsTime, regionOf } from "./message.js";

// The e-mail for one alarm state change, from the notification and the log lines behind it: pure, so
// the same text leaves AWS's Lambda and the local region's subscriber.

export interface LogLine {
  /** Milliseconds since the epoch. */
  timestamp: number;
  message: string;
}

/** The time range the lines were read from, in milliseconds since the epoch. */
export interface LogWindow {
  start: number;
  end: number;
}

export type LogExcerpt =
  | { kind: "lines"; source: LogLines; window: LogWindow; lines: LogLine[] }
  /** The alarm's metric has no log behind it that we know of. */
  | { kind: "none" }
  | { kind: "unavailable"; source?: LogLines; window: LogWindow; reason: string };

export interface Email {
  subject: string;
  body: string;
}

/** SNS refuses a Subject of 100 characters or more, or with line breaks or control characters. */
export const MAX_SUBJECT_LENGTH = 99;

const COMPARISONS: Record<string, string> = {
  GreaterThanOrEqualToThreshold: ">=",
  GreaterThanThreshold: ">",
  LessThanThreshold: "<",
  LessThanOrEqualToThreshold: "<=",
};

/**
 * Whether a state change is worth an e-mail. A new or updated alarm goes from INSUFFICIENT_DATA to OK
 * as soon as it has data: nothing recovered, so nobody is told.
 */
export function worthAnEmail(alarm: AlarmNotification): boolean {
  return !(alarm.NewStateValue === "OK" && alarm.OldStateValue === "INSUFFICIENT_DATA");
}

export function formatEmail(alarm: AlarmNotification, environment: string, logs: LogExcerpt): Email {
  return { subject: subjectOf(alarm, environment), body: bodyOf(alarm, environment, logs) };
}

export function subjectOf(alarm: AlarmNotification, environment: string): string {
  const value = crossingValue(alarm.NewStateReason);
  const tail = value === undefined ? "" : ` (${value} ${comparison(alarm)} ${alarm.Trigger.Threshold})`;
  const subject = `[${environment}] ${alarm.NewStateValue}: ${alarm.AlarmName}${tail}`;
  return truncate(subject.replace(/[\p{Cc}]+/gu, " "), MAX_SUBJECT_LENGTH);
}

function bodyOf(alarm: AlarmNotification, environment: string, logs: LogExcerpt): string {
  const region = regionOf(alarm);
  return [
    ...headline(alarm, environment),
    "",
    ...facts(alarm, environment),
    "",
    ...logSection(logs, region),
    "",
    `The alarm: ${alarmUrl(region, alarm.AlarmName)}`,
    "",
  ].join("\n");
}

function headline(alarm: AlarmNotification, environment: string): string[] {
  const lines = [
    `${alarm.AlarmName} is ${alarm.NewStateValue} in ${environment} (was ${alarm.OldStateValue}).`,
  ];
  if (alarm.AlarmDescription) lines.push(alarm.AlarmDescription);
  return lines;
}

function facts(alarm: AlarmNotification, environment: string): string[] {
  const t = alarm.Trigger;
  const since = new Date(parseAwsTime(alarm.StateChangeTime)).toISOString();
  const rows: [string, string][] = [
    ["Alarm", alarm.AlarmName],
    ["Environment", environment],
    ["State", `${alarm.OldStateValue} -> ${alarm.NewStateValue}`],
    ["Since", since],
    ["Metric", `${t.Namespace} ${t.MetricName}${dimensionsText(alarm)}`],
    ["Threshold", `${statisticOf(alarm)} ${comparison(alarm)} ${t.Threshold} ${evaluationText(alarm)}`],
    ["Value", crossingValue(alarm.NewStateReason) ?? "not in the reason (see below)"],
    ["Reason", alarm.NewStateReason],
    ["Account", `${alarm.AWSAccountId}, ${alarm.Region}`],
  ];
  return rows.map(([label, value]) => `${`${label}:`.padEnd(13)}${value}`);
}

function logSection(logs: LogExcerpt, region: string): string[] {
  if (logs.kind === "none") return ["This alarm's metric has no log lines behind it."];
  const where = logs.source
    ? `matching ${logs.source.filterPattern} in ${logs.source.logGroupName}`
    : "behind this alarm";
  const range = `${iso(logs.window.start)} to ${iso(logs.window.end)}`;
  if (logs.kind === "unavailable")
    return [`The log lines ${where} (${range}) could not be read: ${logs.reason}`];
  const heading =
    logs.lines.length === 0
      ? `No log lines ${where} from ${range}.`
      : `The last ${logs.lines.length} log line(s) ${where}, ${range}:`;
  return [
    heading,
    ...logs.lines.map((line) => `  ${iso(line.timestamp)}  ${oneLine(line.message)}`),
    "",
    "These lines in the CloudWatch console:",
    logEventsUrl({ region, ...logs.source, ...logs.window }),
  ];
}

/**
 * The datapoint that crossed the threshold, as CloudWatch's reason gives it: `... datapoints [25.0
 * (02/12/26 04:19:00)] was ...` (most recent first) or `1 datapoint (10.0) was ...`.
 */
export function crossingValue(reason: string): string | undefined {
  const listed = /datapoints? \[([-\d.eE+]+) \(/.exec(reason) ?? /datapoints? \(([-\d.eE+]+)\)/.exec(reason);
  return listed?.[1];
}

function statisticOf(alarm: AlarmNotification): string {
  const t = alarm.Trigger;
  return t.ExtendedStatistic ?? (t.Statistic ? capitalized(t.Statistic) : "value");
}

function comparison(alarm: AlarmNotification): string {
  return COMPARISONS[alarm.Trigger.ComparisonOperator] ?? alarm.Trigger.ComparisonOperator;
}

function evaluationText(alarm: AlarmNotification): string {
  const t = alarm.Trigger;
  const needed = t.DatapointsToAlarm ?? t.EvaluationPeriods;
  return `in ${needed} of ${t.EvaluationPeriods} period(s) of ${t.Period} s`;
}

function dimensionsText(alarm: AlarmNotification): string {
  const dims = alarm.Trigger.Dimensions.map((d) => `${d.name}=${d.value}`);
  return dims.length ? ` (${dims.join(", ")})` : "";
}

function capitalized(statistic: string): string {
  return statistic.charAt(0).toUpperCase() + statistic.slice(1).toLowerCase();
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, " ").trimEnd();
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 3)}...`;
}
