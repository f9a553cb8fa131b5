import type {
  DescribeAlarmsForMetricInput,
  Dimension,
  DimensionFilter,
  GetMetricStatisticsInput,
  ListMetricsInput,
  MetricDatum,
  PutMetricAlarmInput,
  SetAlarmStateInput,
  StatisticSet,
} from "@aws-sdk/client-cloudwatch";
import type { PageRequest } from "../../wire/paging.js";
import {
  type Input,
  optBool,
  optInt,
  optList,
  optNumber,
  optObject,
  optObjectList,
  optString,
  optStringList,
  optTimestamp,
} from "../../wire/params.js";
import { invalidValue, missingParameter, notSupported } from "./errors.js";
import type { MetricDataQuery } from "./model.js";

// CloudWatch's requests, decoded from awsJson or awsQuery alike, into the SDK's input shapes the
// pure model reads. awsQuery leaves are strings, hence the number readers of wire/params.ts.

export function dimensions(input: Input, name = "Dimensions"): Dimension[] | undefined {
  return optObjectList(input, name)?.map((d) => ({
    Name: optString(d, "Name"),
    Value: optString(d, "Value"),
  }));
}

function dimensionFilters(input: Input): DimensionFilter[] | undefined {
  return optObjectList(input, "Dimensions")?.map((d) => ({
    Name: optString(d, "Name"),
    Value: optString(d, "Value"),
  }));
}

function numberList(input: Input, name: string): number[] | undefined {
  return optList(input, name)?.map((_, i, list) => optNumber({ [name]: list[i] }, name)!);
}

function statisticSet(input: Input | undefined): StatisticSet | undefined {
  if (!input) return undefined;
  return {
    SampleCount: optNumber(input, "SampleCount"),
    Sum: optNumber(input, "Sum"),
    Minimum: optNumber(input, "Minimum"),
    Maximum: optNumber(input, "Maximum"),
  };
}

export function metricData(input: Input): MetricDatum[] {
  if (input.EntityMetricData !== undefined) throw notSupported("EntityMetricData");
  return (optObjectList(input, "MetricData") ?? []).map((d) => ({
    MetricName: optString(d, "MetricName"),
    Dimensions: dimensions(d),
    Timestamp: optTimestamp(d, "Timestamp"),
    Value: optNumber(d, "Value"),
    StatisticValues: statisticSet(optObject(d, "StatisticValues")),
    Values: numberList(d, "Values"),
    Counts: numberList(d, "Counts"),
    Unit: optString(d, "Unit") as MetricDatum["Unit"],
    StorageResolution: optInt(d, "StorageResolution"),
  }));
}

export function getMetricStatisticsInput(input: Input): GetMetricStatisticsInput {
  return {
    Namespace: optString(input, "Namespace"),
    MetricName: optString(input, "MetricName"),
    Dimensions: dimensions(input),
    StartTime: optTimestamp(input, "StartTime"),
    EndTime: optTimestamp(input, "EndTime"),
    Period: optInt(input, "Period"),
    Statistics: optStringList(input, "Statistics") as GetMetricStatisticsInput["Statistics"],
    ExtendedStatistics: optStringList(input, "ExtendedStatistics"),
    Unit: optString(input, "Unit") as GetMetricStatisticsInput["Unit"],
  };
}

const QUERY_ID = /^[a-z][a-zA-Z0-9_]*$/;

/** GetMetricData's queries: MetricStat only; an Expression is metric math, which is refused. */
export function metricDataQueries(input: Input): MetricDataQuery[] {
  const queries = optObjectList(input, "MetricDataQueries");
  if (!queries || queries.length === 0) throw missingParameter("MetricDataQueries");
  if (queries.length > 500) {
    throw invalidValue("The collection MetricDataQueries must not have more than 500 members.");
  }
  const ids = new Set<string>();
  return queries.map((q, i) => {
    const at = `MetricDataQueries.member.${i + 1}`;
    const id = requiredString(q, "Id", `${at}.Id`);
    if (!QUERY_ID.test(id)) {
      throw invalidValue(
        `The value ${id} for parameter ${at}.Id is invalid: it must start with a lowercase letter.`,
      );
    }
    if (ids.has(id)) throw invalidValue(`The values for parameter id in MetricDataQueries are not unique.`);
    ids.add(id);
    if (q.Expression !== undefined) throw notSupported("Metric math (the Expression of a MetricDataQuery)");
    return metricStatQuery(q, id, at);
  });
}

function metricStatQuery(q: Input, id: string, at: string): MetricDataQuery {
  const stat = optObject(q, "MetricStat");
  if (!stat) throw missingParameter(`${at}.MetricStat`);
  const metric = optObject(stat, "Metric");
  if (!metric) throw missingParameter(`${at}.MetricStat.Metric`);
  return {
    id,
    label: optString(q, "Label"),
    returnData: optBool(q, "ReturnData") ?? true,
    namespace: optString(metric, "Namespace"),
    metricName: requiredString(metric, "MetricName", `${at}.MetricStat.Metric.MetricName`),
    dimensions: dimensions(metric),
    period: optInt(stat, "Period") ?? optInt(q, "Period"),
    stat: requiredString(stat, "Stat", `${at}.MetricStat.Stat`),
    unit: optString(stat, "Unit"),
  };
}

export function timeRange(input: Input): { start: Date; end: Date } {
  const start = optTimestamp(input, "StartTime");
  const end = optTimestamp(input, "EndTime");
  if (!start) throw missingParameter("StartTime");
  if (!end) throw missingParameter("EndTime");
  return { start, end };
}

export function scanAscending(input: Input): boolean {
  const scanBy = optString(input, "ScanBy") ?? "TimestampDescending";
  if (scanBy !== "TimestampDescending" && scanBy !== "TimestampAscending") {
    throw invalidValue(`The value ${scanBy} for parameter ScanBy is invalid.`);
  }
  return scanBy === "TimestampAscending";
}

export function listMetricsInput(input: Input): ListMetricsInput {
  const recentlyActive = optString(input, "RecentlyActive");
  if (recentlyActive !== undefined && recentlyActive !== "PT3H") {
    throw invalidValue(`The value ${recentlyActive} for parameter RecentlyActive is invalid.`);
  }
  return {
    Namespace: optString(input, "Namespace"),
    MetricName: optString(input, "MetricName"),
    Dimensions: dimensionFilters(input),
    RecentlyActive: recentlyActive as ListMetricsInput["RecentlyActive"],
  };
}

export function putMetricAlarmInput(input: Input): PutMetricAlarmInput {
  return {
    AlarmName: optString(input, "AlarmName"),
    AlarmDescription: optString(input, "AlarmDescription"),
    ActionsEnabled: optBool(input, "ActionsEnabled"),
    OKActions: optStringList(input, "OKActions"),
    AlarmActions: optStringList(input, "AlarmActions"),
    InsufficientDataActions: optStringList(input, "InsufficientDataActions"),
    MetricName: optString(input, "MetricName"),
    Namespace: optString(input, "Namespace"),
    Statistic: optString(input, "Statistic") as PutMetricAlarmInput["Statistic"],
    ExtendedStatistic: optString(input, "ExtendedStatistic"),
    Dimensions: dimensions(input),
    Period: optInt(input, "Period"),
    Unit: optString(input, "Unit") as PutMetricAlarmInput["Unit"],
    EvaluationPeriods: optInt(input, "EvaluationPeriods"),
    DatapointsToAlarm: optInt(input, "DatapointsToAlarm"),
    Threshold: optNumber(input, "Threshold"),
    ComparisonOperator: optString(input, "ComparisonOperator") as PutMetricAlarmInput["ComparisonOperator"],
    TreatMissingData: optString(input, "TreatMissingData"),
    EvaluateLowSampleCountPercentile: optString(input, "EvaluateLowSampleCountPercentile"),
    Metrics: optList(input, "Metrics") as PutMetricAlarmInput["Metrics"],
    ThresholdMetricId: optString(input, "ThresholdMetricId"),
  };
}

export function setAlarmStateInput(input: Input): SetAlarmStateInput {
  return {
    AlarmName: requiredString(input, "AlarmName"),
    StateValue: optString(input, "StateValue") as SetAlarmStateInput["StateValue"],
    StateReason: optString(input, "StateReason"),
    StateReasonData: optString(input, "StateReasonData"),
  };
}

export function describeAlarmsForMetricInput(input: Input): DescribeAlarmsForMetricInput {
  return {
    MetricName: requiredString(input, "MetricName"),
    Namespace: requiredString(input, "Namespace"),
    Statistic: optString(input, "Statistic") as DescribeAlarmsForMetricInput["Statistic"],
    ExtendedStatistic: optString(input, "ExtendedStatistic"),
    Dimensions: dimensions(input),
    Period: optInt(input, "Period"),
    Unit: optString(input, "Unit") as DescribeAlarmsForMetricInput["Unit"],
  };
}

export function describeAlarmsFilter(input: Input) {
  const names = optStringList(input, "AlarmNames");
  const prefix = optString(input, "AlarmNamePrefix");
  if (names && prefix !== undefined) {
    throw invalidValue("The parameters AlarmNames and AlarmNamePrefix are mutually exclusive.");
  }
  return {
    names,
    prefix,
    stateValue: stateValue(input),
    actionPrefix: optString(input, "ActionPrefix"),
    types: optStringList(input, "AlarmTypes"),
  };
}

export function historyFilter(input: Input) {
  const type = optString(input, "HistoryItemType");
  if (type !== undefined && !["ConfigurationUpdate", "StateUpdate", "Action"].includes(type)) {
    throw invalidValue(`The value ${type} for parameter HistoryItemType is invalid.`);
  }
  return {
    alarmName: optString(input, "AlarmName"),
    type,
    start: optTimestamp(input, "StartDate")?.getTime(),
    end: optTimestamp(input, "EndDate")?.getTime(),
    ascending: scanAscending(input),
  };
}

function stateValue(input: Input): string | undefined {
  const v = optString(input, "StateValue");
  if (v !== undefined && !["OK", "ALARM", "INSUFFICIENT_DATA"].includes(v)) {
    throw invalidValue(`The value ${v} for parameter StateValue is invalid.`);
  }
  return v;
}

/** DeleteAlarms, Enable/DisableAlarmActions: 1 to 100 names. */
export function alarmNames(input: Input): string[] {
  const names = optStringList(input, "AlarmNames");
  if (!names || names.length === 0) throw missingParameter("AlarmNames");
  if (names.length > 100)
    throw invalidValue("The collection AlarmNames must not have more than 100 members.");
  return names;
}

/** DescribeAlarms/DescribeAlarmHistory page with MaxRecords (1 to 100, 50 by default) and NextToken. */
export function pageRequest(input: Input, name = "MaxRecords", max = 100, size = 50): PageRequest {
  const n = optInt(input, name);
  if (n !== undefined && (n < 1 || n > max)) {
    throw invalidValue(`The value ${n} for parameter ${name} is invalid: it must be between 1 and ${max}.`);
  }
  return { size: n ?? size, token: optString(input, "NextToken") };
}

export const invalidToken = () => invalidValue("The value for parameter NextToken is invalid.");

function requiredString(input: Input, name: string, path = name): string {
  const v = optString(input, name);
  if (v === undefined || v === "") throw missingParameter(path);
  return v;
}
