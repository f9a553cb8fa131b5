import type { StateValue } from "@aws-sdk/client-cloudwatch";
import { type AlarmConfig, datapointsToAlarm } from "./alarm-config.js";
import { type EvaluatedPoint, insufficientDataReason, reasonData, thresholdReason } from "./alarm-reason.js";
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
 * How many periods the evaluation range holds beyond EvaluationPeriods. AWS only says "a higher
 * number of data points than Evaluation Periods"; its documented examples use 5 for 3.
 */
export const EXTRA_PERIODS = 2;

export function evaluateAlarm(alarm: AlarmRecord, view: MetricView, now: number): AlarmEvaluation {
  const { config } = alarm;
  const periods = evaluationRange(config, now).map((window) => readPeriod(config, view, window));
  if (periods.some((p) => p.lowSamples)) return unchanged(alarm);
  const points: Point[] = periods.map((p) =>
    p.value === undefined ? "missing" : p.breaching ? "breaching" : "ok",
  );
  const decision = decideState(
    points,
    config.evaluationPeriods,
    datapointsToAlarm(config),
    config.treatMissingData,
  );
  // A state held again is left as it is: reasons and timestamps move with transitions only.
  if (decision.state === undefined || decision.state === alarm.stateValue) return unchanged(alarm);
  const real = decision.evaluated.map((i) => periods[i]!.point!);
  const reason =
    decision.state === "INSUFFICIENT_DATA"
      ? insufficientDataReason(config)
      : thresholdReason(config, decision.state, real, decision.filled);
  const data = reasonData(config, now, real);
  const next = changeState(
    alarm,
    { stateValue: decision.state, stateReason: reason, stateReasonData: data },
    now,
  );
  return { state: decision.state, reason, reasonData: data, ...next };
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

/** The periods of the evaluation range, oldest first, the last one ending at or before `now`. */
export function evaluationRange(config: AlarmConfig, now: number): Window[] {
  const length = config.period * 1000;
  const end = Math.floor(now / length) * length;
  const count = config.evaluationPeriods + EXTRA_PERIODS;
  return Array.from({ length: count }, (_, i) => {
    const start = end - (count - i) * length;
    return { start, end: start + length };
  });
}

interface Period {
  value?: number;
  breaching?: boolean;
  point?: EvaluatedPoint;
  lowSamples?: boolean;
}

function readPeriod(config: AlarmConfig, view: MetricView, window: Window): Period {
  const aggregate = view.aggregate(config.metric, window, config.unit);
  const value = aggregate?.value(config.statistic);
  if (!aggregate || value === undefined) return {};
  const breaching = breaches(config, value);
  const point = { timestamp: window.start, value, sampleCount: aggregate.sampleCount, breaching };
  return { value, breaching, point, lowSamples: tooFewSamples(config, aggregate) };
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
  return aggregate.sampleCount < needed;
}

function unchanged(alarm: AlarmRecord): AlarmEvaluation {
  return {
    state: alarm.stateValue,
    reason: alarm.stateReason,
    ...(alarm.stateReasonData !== undefined ? { reasonData: alarm.stateReasonData } : {}),
    alarm,
  };
}
