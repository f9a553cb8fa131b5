import type { StateValue } from "@aws-sdk/client-cloudwatch";
import { type AlarmConfig, datapointsToAlarm } from "./alarm-config.js";
import {
  type EvaluatedPoint,
  insufficientDataReason,
  type RangePeriod,
  reasonData,
  thresholdReason,
} from "./alarm-reason.js";
import { type AlarmRecord, changeState, type Transition } from "./alarm-record.js";
import type { MetricView, Window } from "./metric-store.js";
import { decideState, type Point } from "./missing-data.js";
import type { Aggregate } from "./statistics.js";

// One evaluation of a metric alarm ("Evaluating an alarm"): the periods that ended by `now`, the
// statistic of each, each compared with the threshold, then the missing-data rules decide the
// state. Pure: the caller passes the time and a view of the metric store, and stores the record.

/** The alarm's state, reason and reason data after the evaluation (new ones only on a transition). */
export interface AlarmEvaluation {
  state: StateValue;
  reason: string;
  reasonData?: string;
  /** The record after this evaluation (the same one when nothing changed). */
  alarm: AlarmRecord;
  transition?: Transition;
}

/**
 * How many periods the evaluation range holds beyond EvaluationPeriods, and the least time it
 * covers. AWS only says "a higher number of data points than Evaluation Periods", depending on the
 * period; its documented examples use 5 for 3 five-minute periods, and native 10-second alarms of 3
 * periods read 9 (90 s): datapoints 90 s old still counted, older ones no longer did.
 */
export const EXTRA_PERIODS = 2;
export const MIN_RANGE_MS = 90_000;

/**
 * How long a period has been over before it is evaluated. Native 10-second alarms evaluated the
 * periods that ended 8.8 to 14.5 s before queryDate, never one that ended later.
 */
export const EVALUATION_DELAY_MS = 10_000;

export function evaluateAlarm(alarm: AlarmRecord, view: MetricView, now: number): AlarmEvaluation {
  const { config } = alarm;
  const periods = evaluationRange(config, now).map((window) => readPeriod(config, view, window));
  const points: Point[] = periods.map(({ point }) =>
    point === undefined ? "missing" : point.breaching ? "breaching" : "ok",
  );
  const decision = decideState(
    points,
    config.evaluationPeriods,
    datapointsToAlarm(config),
    config.treatMissingData,
  );
  // Too few samples for a percentile among the evaluated periods: nothing changes.
  if (decision.window.some((i) => periods[i]!.lowSamples)) return unchanged(alarm);
  // A state held again is left as it is: reasons and timestamps move with transitions only.
  if (decision.state === undefined || decision.state === alarm.stateValue) return unchanged(alarm);
  const supporting = decision.supporting.map((i) => periods[i]!);
  const reason =
    decision.state === "INSUFFICIENT_DATA"
      ? insufficientDataReason(config)
      : thresholdReason(
          config,
          decision.state,
          listed(supporting, decision.window, periods),
          decision.filled,
        );
  const data = reasonData(config, now, periods, supporting);
  const next = changeState(
    alarm,
    { stateValue: decision.state, stateReason: reason, stateReasonData: data },
    now,
  );
  return { state: decision.state, reason, reasonData: data, ...next };
}

/**
 * The value of the newest period of the evaluation range that has data: what an alarm action such as
 * a scaling policy acts on each period while the alarm stays in ALARM (its reason data is the
 * transition's, older).
 */
export function newestDatapoint(alarm: AlarmRecord, view: MetricView, now: number): number | undefined {
  const periods = evaluationRange(alarm.config, now).map((w) => readPeriod(alarm.config, view, w));
  return periods.findLast((p) => p.point !== undefined)?.point?.value;
}

/** The datapoints a reason names, newest first: the supporting real ones, else the evaluated ones. */
function listed(supporting: Period[], window: number[], periods: Period[]): EvaluatedPoint[] {
  const named = supporting.flatMap((p) => (p.point ? [p.point] : []));
  if (named.length > 0) return named;
  return window.flatMap((i) => (periods[i]!.point ? [periods[i]!.point!] : [])).reverse();
}

/** Comparison with the threshold, by operator. */
export function breaches(config: AlarmConfig, value: number): boolean {
  switch (config.comparisonOperator) {
    case "GreaterThanOrEqualToThreshold":
      return value >= config.threshold;
    case "GreaterThanThreshold":
      return value > config.threshold;
    case "LessThanThreshold":
      return value < config.threshold;
    case "LessThanOrEqualToThreshold":
      return value <= config.threshold;
  }
}

/**
 * The periods of the evaluation range, oldest first: N + 2 of them, or as many as cover 90 s, the
 * last one over for EVALUATION_DELAY_MS by `now`.
 */
export function evaluationRange(config: AlarmConfig, now: number): Window[] {
  const length = config.period * 1000;
  const end = Math.floor((now - EVALUATION_DELAY_MS) / length) * length;
  const count = Math.max(config.evaluationPeriods + EXTRA_PERIODS, Math.ceil(MIN_RANGE_MS / length));
  return Array.from({ length: count }, (_, i) => {
    const start = end - (count - i) * length;
    return { start, end: start + length };
  });
}

interface Period extends RangePeriod {
  lowSamples?: boolean;
}

function readPeriod(config: AlarmConfig, view: MetricView, window: Window): Period {
  const aggregate = view.aggregate(config.metric, window, config.unit);
  const value = aggregate?.value(config.statistic);
  if (!aggregate || value === undefined) return { timestamp: window.start };
  const breaching = breaches(config, value);
  const point = { timestamp: window.start, value, sampleCount: aggregate.sampleCount, breaching };
  return { timestamp: window.start, point, lowSamples: tooFewSamples(config, aggregate) };
}

/**
 * "Percentile-based CloudWatch alarms and low data samples": with `ignore`, a percentile over fewer
 * than 10/(1-p) samples (p ≥ 0.5) or 10/p samples (p < 0.5) leaves the state as it is.
 */
function tooFewSamples(config: AlarmConfig, aggregate: Aggregate): boolean {
  if (config.statistic.kind !== "percentile" || config.evaluateLowSampleCountPercentile !== "ignore")
    return false;
  const p = config.statistic.p / 100;
  if (p <= 0 || p >= 1) return false;
  const needed = p >= 0.5 ? 10 / (1 - p) : 10 / p;
  // 10 / (1 - 0.9) is 100.00000000000003 in doubles; 100 samples are enough for p90 (native).
  return aggregate.sampleCount < needed - 1e-6;
}

function unchanged(alarm: AlarmRecord): AlarmEvaluation {
  return {
    state: alarm.stateValue,
    reason: alarm.stateReason,
    ...(alarm.stateReasonData !== undefined ? { reasonData: alarm.stateReasonData } : {}),
    alarm,
  };
}
