import { type AlarmConfig, datapointsToAlarm, type ThresholdOperator } from "./alarm-config.js";
import { statisticLabel } from "./statistics.js";

// StateReason and StateReasonData as CloudWatch writes them, from real alarms' output:
//   Threshold Crossed: 1 datapoint [3.0 (11/08/18 10:55:00)] was greater than or equal to the threshold (1.0).
//   Threshold Crossed: 2 out of the last 2 datapoints [10.25 (05/10/20 06:25:00), 10.0 (05/10/20 06:20:00)] were
//     greater than or equal to the threshold (10.0) (minimum 2 datapoints for OK -> ALARM transition).
//   Threshold Crossed: 1 datapoint [0.0 (20/04/26 18:45:00)] was less than the threshold (1.0) and 1 missing
//     datapoint was treated as [Breaching].
//   Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [NonBreaching].
//   Threshold Crossed: 1 out of the last 3 datapoints [0.0 (14/09/26 05:54:10)] was not greater than the
//     threshold (50.0) and 2 missing datapoints were treated as [Breaching] (minimum 1 datapoint for ALARM -> OK
//     transition).
//   Insufficient Data: 1 datapoint was unknown.
// The "k out of the last N ... (minimum M ...)" form is the one of alarms created with
// DatapointsToAlarm, the "k datapoints" form that of alarms without it. Datapoints are listed newest
// first, as dd/MM/yy HH:mm:ss in UTC; numbers are written as Java writes doubles (1.0, 0.025).

export interface EvaluatedPoint {
  timestamp: number;
  value: number;
  sampleCount: number;
  breaching: boolean;
}

const PHRASES: Record<ThresholdOperator, string> = {
  GreaterThanOrEqualToThreshold: "greater than or equal to",
  GreaterThanThreshold: "greater than",
  LessThanThreshold: "less than",
  LessThanOrEqualToThreshold: "less than or equal to",
};

export const INITIAL_REASON = "Unchecked: Initial alarm creation";

export function insufficientDataReason(config: AlarmConfig): string {
  return `Insufficient Data: ${counted(config.evaluationPeriods, "datapoint")} ${verb(config.evaluationPeriods)} unknown.`;
}

/**
 * The reason of an ALARM or OK state. `listed`: the real datapoints it names, newest first (those
 * that agree with the state, else the real ones evaluated); `filled`: missing periods counted as
 * treatMissingData's kind.
 */
export function thresholdReason(
  config: AlarmConfig,
  state: "ALARM" | "OK",
  listed: EvaluatedPoint[],
  filled: number,
): string {
  const kind = config.treatMissingData === "breaching" ? "[Breaching]" : "[NonBreaching]";
  const missing = `${counted(filled, "missing datapoint")} ${verb(filled)} treated as ${kind}`;
  if (listed.length === 0) {
    return `Threshold Crossed: no datapoints were received for ${counted(filled, "period")} and ${missing}.`;
  }
  const breaching = listed[0]!.breaching;
  const head = `Threshold Crossed: ${countPhrase(config, listed.length)} [${listed.map(point).join(", ")}]`;
  const comparison = `${verb(listed.length)} ${breaching ? "" : "not "}${PHRASES[config.comparisonOperator]} the threshold (${javaDouble(config.threshold)})`;
  return `${head} ${comparison}${filled > 0 ? ` and ${missing}` : ""}${minimum(config, state)}.`;
}

/** A period of the evaluation range: when it starts, and its datapoint if it has one. */
export interface RangePeriod {
  timestamp: number;
  point?: EvaluatedPoint;
}

/**
 * StateReasonData: the JSON document CloudWatch attaches to an evaluated state. recentDatapoints
 * runs from the range's first real datapoint to its last, null for the periods between without
 * one; evaluatedDatapoints lists the supporting periods newest first, a missing one by its
 * timestamp alone.
 */
export function reasonData(
  config: AlarmConfig,
  now: number,
  range: RangePeriod[],
  supporting: RangePeriod[],
): string {
  const first = range.findIndex((p) => p.point);
  const last = range.findLastIndex((p) => p.point);
  const recent = first < 0 ? [] : range.slice(first, last + 1);
  const fields = [
    `"version":"1.0"`,
    `"queryDate":${JSON.stringify(isoDate(now))}`,
    ...(first >= 0 ? [`"startDate":${JSON.stringify(isoDate(range[first]!.timestamp))}`] : []),
    ...(config.unit !== undefined ? [`"unit":${JSON.stringify(config.unit)}`] : []),
    `"statistic":${JSON.stringify(statisticLabel(config.statistic))}`,
    `"period":${config.period}`,
    `"recentDatapoints":[${recent.map((p) => (p.point ? javaDouble(p.point.value) : "null")).join(",")}]`,
    `"threshold":${javaDouble(config.threshold)}`,
    `"evaluatedDatapoints":[${supporting.map(evaluatedDatapoint).join(",")}]`,
  ];
  return `{${fields.join(",")}}`;
}

/** A double as Java's Double.toString writes it, which is how CloudWatch's texts show numbers. */
export function javaDouble(value: number): string {
  const magnitude = Math.abs(value);
  if (magnitude !== 0 && (magnitude >= 1e7 || magnitude < 1e-3)) {
    const [mantissa, exponent] = value.toExponential().split("e") as [string, string];
    return `${mantissa.includes(".") ? mantissa : `${mantissa}.0`}E${Number(exponent)}`;
  }
  return Number.isInteger(value) ? value.toFixed(1) : String(value);
}

function countPhrase(config: AlarmConfig, listed: number): string {
  if (config.datapointsToAlarm === undefined) return counted(listed, "datapoint");
  return `${listed} out of the last ${config.evaluationPeriods} datapoints`;
}

function minimum(config: AlarmConfig, state: "ALARM" | "OK"): string {
  if (config.datapointsToAlarm === undefined) return "";
  const m = datapointsToAlarm(config);
  const needed = state === "ALARM" ? m : config.evaluationPeriods - m + 1;
  const transition = state === "ALARM" ? "OK -> ALARM" : "ALARM -> OK";
  return ` (minimum ${counted(needed, "datapoint")} for ${transition} transition)`;
}

function point(p: EvaluatedPoint): string {
  return `${javaDouble(p.value)} (${reasonDate(p.timestamp)})`;
}

function evaluatedDatapoint({ timestamp, point }: RangePeriod): string {
  const time = `"timestamp":${JSON.stringify(isoDate(timestamp))}`;
  if (!point) return `{${time}}`;
  return `{${time},"sampleCount":${javaDouble(point.sampleCount)},"value":${javaDouble(point.value)}}`;
}

const counted = (n: number, noun: string) => `${n} ${noun}${n === 1 ? "" : "s"}`;
const verb = (n: number) => (n === 1 ? "was" : "were");
const pad = (n: number) => String(n).padStart(2, "0");

function reasonDate(time: number): string {
  const d = new Date(time);
  const date = `${pad(d.getUTCDate())}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCFullYear() % 100)}`;
  return `${date} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/** 2020-10-05T06:30:58.947+0000, CloudWatch's timestamp format in reason and history data. */
export function isoDate(time: number): string {
  return new Date(time).toISOString().replace("Z", "+0000");
}
