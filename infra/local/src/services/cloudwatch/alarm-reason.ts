import { type AlarmConfig, datapointsToAlarm, type ThresholdOperator } from "./alarm-config.js";
import { statisticLabel } from "./statistics.js";

// StateReason and StateReasonData as CloudWatch writes them, from real alarms' output:
//   Threshold Crossed: 1 datapoint [3.0 (11/08/18 10:55:00)] was greater than or equal to the threshold (1.0).
//   Threshold Crossed: 2 out of the last 2 datapoints [10.25 (05/10/20 06:25:00), 10.0 (05/10/20 06:20:00)] were
//     greater than or equal to the threshold (10.0) (minimum 2 datapoints for OK -> ALARM transition).
//   Threshold Crossed: 1 datapoint [0.0 (20/04/26 18:45:00)] was less than the threshold (1.0) and 1 missing
//     datapoint was treated as [Breaching].
//   Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [NonBreaching].
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

export function thresholdReason(
  config: AlarmConfig,
  state: "ALARM" | "OK",
  real: EvaluatedPoint[],
  filled: number,
): string {
  const kind = config.treatMissingData === "breaching" ? "[Breaching]" : "[NonBreaching]";
  const missing = `${counted(filled, "missing datapoint")} ${verb(filled)} treated as ${kind}`;
  if (real.length === 0) {
    return `Threshold Crossed: no datapoints were received for ${counted(filled, "period")} and ${missing}.`;
  }
  const agreeing = real.filter((p) => p.breaching === (state === "ALARM"));
  const listed = agreeing.length > 0 ? agreeing : real;
  const breaching = listed[0]!.breaching;
  const head = `Threshold Crossed: ${countPhrase(config, listed.length, filled)} [${listed.map(point).reverse().join(", ")}]`;
  const comparison = `${verb(listed.length)} ${breaching ? "" : "not "}${PHRASES[config.comparisonOperator]} the threshold (${javaDouble(config.threshold)})`;
  if (filled > 0) return `${head} ${comparison} and ${missing}.`;
  return `${head} ${comparison}${minimum(config, state)}.`;
}

/** StateReasonData: the JSON document CloudWatch attaches to an evaluated state. */
export function reasonData(config: AlarmConfig, now: number, real: EvaluatedPoint[]): string {
  const statistic = config.statistic.kind === "basic" ? "statistic" : "extendedStatistic";
  const fields = [
    `"version":"1.0"`,
    `"queryDate":${JSON.stringify(isoDate(now))}`,
    ...(real.length > 0 ? [`"startDate":${JSON.stringify(isoDate(real[0]!.timestamp))}`] : []),
    `"${statistic}":${JSON.stringify(statisticLabel(config.statistic))}`,
    `"period":${config.period}`,
    `"recentDatapoints":[${real.map((p) => javaDouble(p.value)).join(",")}]`,
    `"threshold":${javaDouble(config.threshold)}`,
    `"evaluatedDatapoints":[${[...real].reverse().map(evaluatedDatapoint).join(",")}]`,
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

function countPhrase(config: AlarmConfig, listed: number, filled: number): string {
  if (config.datapointsToAlarm === undefined || filled > 0) return counted(listed, "datapoint");
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

function evaluatedDatapoint(p: EvaluatedPoint): string {
  return `{"timestamp":${JSON.stringify(isoDate(p.timestamp))},"sampleCount":${javaDouble(p.sampleCount)},"value":${javaDouble(p.value)}}`;
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
