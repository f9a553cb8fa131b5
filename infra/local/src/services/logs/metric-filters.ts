import type { MetricTransformation } from "@aws-sdk/client-cloudwatch-logs";
import { AwsError } from "../../contracts.js";
import {
  checkMetricTransformation,
  extract,
  type FilterPattern,
  type MetricFilterDatum,
  matches,
  metricDataFor,
  parseFilterPattern,
} from "./filter-pattern.js";

// Metric filters (PutMetricFilter, DescribeMetricFilters, DeleteMetricFilter and what a group's
// filters publish for the events it stores). A filter belongs to its group, as in AWS: it goes with
// the group and counts against the group's quota of 100.

export interface MetricFilterRecord {
  filterName: string;
  filterPattern: string;
  metricTransformations: MetricTransformation[];
  creationTime: number;
  logGroupName: string;
}

export interface MetricFilterInput {
  filterName: string | undefined;
  filterPattern: string | undefined;
  metricTransformations: MetricTransformation[];
}

export const MAX_METRIC_FILTERS_PER_GROUP = 100;
const FILTER_NAME = /^[^:*]{1,512}$/;
const METRIC_NAME = /^[^:*$]{1,255}$/;
const MINUTE = 60_000;

const invalid = (message: string) => new AwsError("InvalidParameterException", message);

/** The filter as PutMetricFilter stores it, once its name, pattern and transformation pass AWS's rules. */
export function newMetricFilter(
  logGroupName: string,
  input: MetricFilterInput,
  creationTime: number,
): MetricFilterRecord {
  const filterName = checkName(input.filterName, "filterName", FILTER_NAME, "[^:*]*");
  const filterPattern = input.filterPattern ?? "";
  if (filterPattern.length > 1024) {
    throw invalid(
      constraintMessage(filterPattern, "filterPattern", "Member must have length less than or equal to 1024"),
    );
  }
  const pattern = parseFilterPattern(filterPattern, "metricFilter");
  if (input.metricTransformations.length !== 1) {
    throw invalid(
      "1 validation error detected: Value at 'metricTransformations' failed to satisfy constraint: Member must have length less than or equal to 1",
    );
  }
  for (const t of input.metricTransformations) checkTransformation(pattern, t);
  return {
    filterName,
    filterPattern,
    metricTransformations: input.metricTransformations,
    creationTime,
    logGroupName,
  };
}

/** Adds or replaces the named filter; a new one past the group's quota is refused. */
export function putMetricFilter(
  filters: Record<string, MetricFilterRecord>,
  filter: MetricFilterRecord,
): void {
  const replacing = filters[filter.filterName] !== undefined;
  if (!replacing && Object.keys(filters).length >= MAX_METRIC_FILTERS_PER_GROUP) {
    throw new AwsError("LimitExceededException", "Resource limit exceeded.");
  }
  filters[filter.filterName] = filter;
}

export interface MetricFilterQuery {
  filterNamePrefix?: string | undefined;
  metricName?: string | undefined;
  metricNamespace?: string | undefined;
}

/** DescribeMetricFilters' selection: by name prefix, by the metric the filters publish. */
export function selectMetricFilters(
  filters: MetricFilterRecord[],
  query: MetricFilterQuery,
): MetricFilterRecord[] {
  if ((query.metricName === undefined) !== (query.metricNamespace === undefined)) {
    throw invalid("metricName and metricNamespace must be specified together.");
  }
  return filters
    .filter((f) => f.filterName.startsWith(query.filterNamePrefix ?? ""))
    .filter(
      (f) =>
        query.metricName === undefined ||
        f.metricTransformations.some(
          (t) => t.metricName === query.metricName && t.metricNamespace === query.metricNamespace,
        ),
    )
    .sort((a, b) => a.logGroupName.localeCompare(b.logGroupName) || a.filterName.localeCompare(b.filterName));
}

/** TestMetricFilter: the messages the pattern matches, numbered from 1, with the values it extracts. */
export function testMetricFilter(filterPattern: string | undefined, messages: string[]) {
  const pattern = parseFilterPattern(filterPattern, "metricFilter");
  return messages.flatMap((eventMessage, i) => {
    const match = extract(pattern, eventMessage);
    return match ? [{ eventNumber: i + 1, eventMessage, extractedValues: match.extractedValues }] : [];
  });
}

/**
 * What the filters publish for a batch of events: each matching event's value; and, for a filter
 * with a default value, the default once for every minute of the batch that had events but no
 * match (AWS: "the value reported to the metric filter during a period when logs are ingested but
 * no matching logs are found").
 */
export function metricFilterData(
  filters: MetricFilterRecord[],
  events: { timestamp: number; message: string }[],
  parse: (filter: MetricFilterRecord) => FilterPattern,
): MetricFilterDatum[] {
  return filters.flatMap((filter) => {
    const pattern = parse(filter);
    return filter.metricTransformations.flatMap((t) => transformationData(t, pattern, events));
  });
}

function transformationData(
  transformation: MetricTransformation,
  pattern: FilterPattern,
  events: { timestamp: number; message: string }[],
): MetricFilterDatum[] {
  const data: MetricFilterDatum[] = [];
  // The first unmatched event of each minute stands for it: metricDataFor gives it the default value.
  const quiet = new Map<number, { timestamp: number; message: string }>();
  const matched = new Set<number>();
  for (const event of events) {
    const minute = Math.floor(event.timestamp / MINUTE);
    if (!matches(pattern, event.message)) {
      if (!quiet.has(minute)) quiet.set(minute, event);
      continue;
    }
    matched.add(minute);
    const datum = metricDataFor(transformation, pattern, event);
    if (datum) data.push(datum);
  }
  for (const [minute, event] of quiet) {
    const datum = matched.has(minute) ? undefined : metricDataFor(transformation, pattern, event);
    if (datum) data.push(datum);
  }
  return data;
}

function checkName(value: string | undefined, member: string, rule: RegExp, shown: string): string {
  if (value === undefined || !rule.test(value)) {
    throw invalid(
      constraintMessage(value, member, `Member must satisfy regular expression pattern: ${shown}`),
    );
  }
  return value;
}

function checkTransformation(pattern: FilterPattern, t: MetricTransformation): void {
  checkName(t.metricName, "metricTransformations.1.member.metricName", METRIC_NAME, "[^:*$]*");
  checkName(t.metricNamespace, "metricTransformations.1.member.metricNamespace", METRIC_NAME, "[^:*$]*");
  if (!t.metricValue)
    throw invalid(
      constraintMessage(
        t.metricValue,
        "metricTransformations.1.member.metricValue",
        "Member must not be null",
      ),
    );
  checkMetricTransformation(pattern, t);
}

function constraintMessage(value: unknown, member: string, rule: string): string {
  return `1 validation error detected: Value ${JSON.stringify(value) ?? "null"} at '${member}' failed to satisfy constraint: ${rule}`;
}
