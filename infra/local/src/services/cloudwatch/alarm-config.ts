import type { ComparisonOperator, PutMetricAlarmInput, StandardUnit } from "@aws-sdk/client-cloudwatch";
import { invalidCombination, invalidValue, missingParameter, notSupported } from "./errors.js";
import { checkNamespace } from "./metric-datum.js";
import { type MetricId, metricId } from "./metric-identity.js";
import { parseStatistic, type StatisticName } from "./statistics.js";

// PutMetricAlarm's input, checked, for an alarm on one metric with a static threshold. Metric math
// (`Metrics`), anomaly detection bands and the newer evaluation options are refused with an error
// that says the local region does not support them, rather than stored and silently ignored.

export type ThresholdOperator = Extract<
  ComparisonOperator,
  | "GreaterThanOrEqualToThreshold"
  | "GreaterThanThreshold"
  | "LessThanThreshold"
  | "LessThanOrEqualToThreshold"
>;
export type TreatMissingData = "missing" | "notBreaching" | "breaching" | "ignore";

export interface AlarmConfig {
  alarmName: string;
  alarmDescription?: string;
  actionsEnabled: boolean;
  okActions: string[];
  alarmActions: string[];
  insufficientDataActions: string[];
  metric: MetricId;
  statistic: StatisticName;
  period: number;
  unit?: StandardUnit;
  evaluationPeriods: number;
  /** As given: the state reason's wording depends on whether it was (see alarm-reason). */
  datapointsToAlarm?: number;
  threshold: number;
  comparisonOperator: ThresholdOperator;
  treatMissingData: TreatMissingData;
  evaluateLowSampleCountPercentile?: "evaluate" | "ignore";
}

const THRESHOLD_OPERATORS: readonly string[] = [
  "GreaterThanOrEqualToThreshold",
  "GreaterThanThreshold",
  "LessThanThreshold",
  "LessThanOrEqualToThreshold",
];
const ANOMALY_OPERATORS: readonly string[] = [
  "LessThanLowerOrGreaterThanUpperThreshold",
  "LessThanLowerThreshold",
  "GreaterThanUpperThreshold",
];
const TREAT_MISSING: readonly string[] = ["missing", "notBreaching", "breaching", "ignore"];
/** "The number of evaluation periods for an alarm multiplied by the length of each evaluation period can't exceed one day." */
const MAX_EVALUATION_SECONDS = 86_400;

export function alarmConfig(input: PutMetricAlarmInput): AlarmConfig {
  refuseUnsupported(input);
  const alarmName = checkName(input.AlarmName);
  const evaluationPeriods = checkEvaluationPeriods(input.EvaluationPeriods);
  const period = checkAlarmPeriod(input.Period, evaluationPeriods);
  return {
    alarmName,
    ...(input.AlarmDescription !== undefined ? { alarmDescription: input.AlarmDescription } : {}),
    actionsEnabled: input.ActionsEnabled ?? true,
    okActions: input.OKActions ?? [],
    alarmActions: input.AlarmActions ?? [],
    insufficientDataActions: input.InsufficientDataActions ?? [],
    metric: metricId(
      checkNamespace(input.Namespace, "allowed"),
      required(input.MetricName, "MetricName"),
      input.Dimensions,
    ),
    statistic: checkStatistic(input),
    period,
    ...(input.Unit !== undefined ? { unit: input.Unit } : {}),
    evaluationPeriods,
    ...optionalDatapointsToAlarm(input.DatapointsToAlarm, evaluationPeriods),
    threshold: checkThreshold(input.Threshold),
    comparisonOperator: checkOperator(input.ComparisonOperator),
    treatMissingData: checkTreatMissingData(input.TreatMissingData),
    ...checkLowSampleCount(input),
  };
}

/** M of "M out of N": DatapointsToAlarm, or all of EvaluationPeriods when it is not given. */
export function datapointsToAlarm(config: AlarmConfig): number {
  return config.datapointsToAlarm ?? config.evaluationPeriods;
}

function refuseUnsupported(input: PutMetricAlarmInput): void {
  if (input.Metrics !== undefined) {
    throw notSupported("Metric math (an alarm on Metrics with expressions or metric queries)");
  }
  if (input.ThresholdMetricId !== undefined)
    throw notSupported("An anomaly detection threshold (ThresholdMetricId)");
  if (ANOMALY_OPERATORS.includes(input.ComparisonOperator ?? "")) {
    throw notSupported(`The anomaly detection operator ${input.ComparisonOperator}`);
  }
  for (const option of [
    "EvaluationWindow",
    "EvaluationCriteria",
    "EvaluationInterval",
    "WarmUpConfiguration",
  ] as const) {
    if (input[option] !== undefined) throw notSupported(`The ${option} option`);
  }
}

function checkName(name: string | undefined): string {
  const alarmName = required(name, "AlarmName");
  // "Alarm names must contain only UTF-8 characters, and can't contain ASCII control characters."
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters are the point
  if (alarmName.length > 255 || /[\u0000-\u001f\u007f]/.test(alarmName)) {
    throw invalidValue(`The value ${JSON.stringify(alarmName)} for parameter AlarmName is invalid.`);
  }
  return alarmName;
}

function checkStatistic(input: PutMetricAlarmInput): StatisticName {
  if ((input.Statistic === undefined) === (input.ExtendedStatistic === undefined)) {
    throw invalidCombination(
      "Exactly one of the parameters Statistic and ExtendedStatistic must be specified.",
    );
  }
  const statistic = parseStatistic(input.Statistic ?? input.ExtendedStatistic!);
  if (input.ExtendedStatistic !== undefined && statistic.kind !== "percentile") {
    throw invalidValue(
      `The value ${input.ExtendedStatistic} for parameter ExtendedStatistic is not a percentile.`,
    );
  }
  return statistic;
}

function checkEvaluationPeriods(periods: number | undefined): number {
  if (periods === undefined) throw missingParameter("EvaluationPeriods");
  if (!Number.isInteger(periods) || periods < 1) {
    throw invalidValue("The parameter EvaluationPeriods must be an integer of at least 1.");
  }
  return periods;
}

/** Alarms take 10 and 30 seconds (high-resolution alarms) or whole minutes. */
function checkAlarmPeriod(period: number | undefined, evaluationPeriods: number): number {
  if (period === undefined) throw missingParameter("Period");
  if (!(period === 10 || period === 30 || (period >= 60 && period % 60 === 0))) {
    throw invalidValue("The parameter Period must be 10, 30 or a multiple of 60.");
  }
  if (period * evaluationPeriods > MAX_EVALUATION_SECONDS) {
    throw invalidValue(
      "Metrics cannot be checked across more than a day (EvaluationPeriods * Period must be <= 86400).",
    );
  }
  return period;
}

function optionalDatapointsToAlarm(m: number | undefined, n: number): { datapointsToAlarm?: number } {
  if (m === undefined) return {};
  if (!Number.isInteger(m) || m < 1 || m > n) {
    throw invalidValue("DatapointsToAlarm must be at least 1 and at most EvaluationPeriods.");
  }
  return { datapointsToAlarm: m };
}

function checkThreshold(threshold: number | undefined): number {
  if (threshold === undefined) throw missingParameter("Threshold");
  if (!Number.isFinite(threshold))
    throw invalidValue(`The value ${threshold} for parameter Threshold is invalid.`);
  return threshold;
}

function checkOperator(operator: string | undefined): ThresholdOperator {
  if (operator === undefined) throw missingParameter("ComparisonOperator");
  if (!THRESHOLD_OPERATORS.includes(operator)) {
    throw invalidValue(`The value ${operator} for parameter ComparisonOperator is invalid.`);
  }
  return operator as ThresholdOperator;
}

function checkTreatMissingData(treat: string | undefined): TreatMissingData {
  if (treat === undefined) return "missing";
  if (!TREAT_MISSING.includes(treat)) {
    throw invalidValue(
      `The value ${treat} for parameter TreatMissingData is invalid: use ${TREAT_MISSING.join(", ")}.`,
    );
  }
  return treat as TreatMissingData;
}

function checkLowSampleCount(
  input: PutMetricAlarmInput,
): Pick<AlarmConfig, "evaluateLowSampleCountPercentile"> {
  const value = input.EvaluateLowSampleCountPercentile;
  if (value === undefined) return {};
  if (value !== "evaluate" && value !== "ignore") {
    throw invalidValue(
      `The value ${value} for parameter EvaluateLowSampleCountPercentile is invalid: use evaluate or ignore.`,
    );
  }
  if (input.ExtendedStatistic === undefined) {
    throw invalidCombination("EvaluateLowSampleCountPercentile applies only to alarms on a percentile.");
  }
  return { evaluateLowSampleCountPercentile: value };
}

function required(value: string | undefined, name: string): string {
  if (!value) throw missingParameter(name);
  return value;
}
