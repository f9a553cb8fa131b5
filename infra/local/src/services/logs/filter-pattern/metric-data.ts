import type { MetricTransformation, StandardUnit } from "@aws-sdk/client-cloudwatch-logs";
import { FilterPatternError } from "./errors.js";
import { parseSelector } from "./json-selector.js";
import { numeric } from "./literal.js";
import { extract, type FilterPattern } from "./pattern.js";

// What a metric filter publishes for one log event ("Configuring metric values for a metric
// filter", "Publishing dimensions with metrics", "Using values in log events to increment a
// metric's value"): a matching event adds its metric value (a number, or `$.field` / `$field` read
// off the event); an event that does not match adds the default value when there is one, which is
// what makes the metric report 0 instead of nothing for a quiet minute of a busy log group.

export interface MetricFilterDatum {
  metricNamespace: string;
  metricName: string;
  timestamp: number;
  value: number;
  dimensions: Record<string, string>;
  unit?: StandardUnit;
}

export const MAX_METRIC_FILTER_DIMENSIONS = 3;

/** PutMetricFilter's rules for a transformation against its pattern. */
export function checkMetricTransformation(
  pattern: FilterPattern,
  transformation: MetricTransformation,
): void {
  const dimensions = Object.entries(transformation.dimensions ?? {});
  if (dimensions.length > 0 && transformation.defaultValue !== undefined) {
    // The wording CloudFormation relays from CloudWatch Logs.
    throw new FilterPatternError(
      "Invalid metric transformation: dimensions and default value are mutually exclusive properties",
    );
  }
  if (dimensions.length > 0 && pattern.kind !== "json" && pattern.kind !== "delimited") {
    throw new FilterPatternError("The specified filter pattern does not support dimensions");
  }
  if (dimensions.length > MAX_METRIC_FILTER_DIMENSIONS) {
    throw new FilterPatternError(
      `A metric filter can have at most ${MAX_METRIC_FILTER_DIMENSIONS} dimensions`,
    );
  }
  if (!isValidReference(pattern, transformation.metricValue ?? "", true)) {
    throw new FilterPatternError(`Invalid metric value: ${transformation.metricValue}`);
  }
  const badDimension = dimensions.find(([, reference]) => !isValidReference(pattern, reference, false));
  if (badDimension) throw new FilterPatternError(`Invalid dimension value: ${badDimension[1]}`);
}

export function metricDataFor(
  transformation: MetricTransformation,
  pattern: FilterPattern,
  event: { timestamp: number; message: string },
): MetricFilterDatum | undefined {
  const match = extract(pattern, event.message);
  const base = {
    metricNamespace: transformation.metricNamespace ?? "",
    metricName: transformation.metricName ?? "",
    timestamp: event.timestamp,
    ...(transformation.unit ? { unit: transformation.unit } : {}),
  };
  if (!match) {
    const value = transformation.defaultValue;
    return value === undefined ? undefined : { ...base, value, dimensions: {} };
  }
  const value = metricValue(transformation.metricValue ?? "", match.value);
  const dimensions = dimensionValues(transformation.dimensions ?? {}, match.value);
  // An event that lacks the value or a dimension field publishes nothing rather than a guess.
  if (value === undefined || dimensions === undefined) return undefined;
  return { ...base, value, dimensions };
}

function metricValue(
  reference: string,
  lookup: (reference: string) => string | undefined,
): number | undefined {
  const text = reference.startsWith("$") ? lookup(reference) : reference;
  return text === undefined ? undefined : numeric(text);
}

function dimensionValues(
  references: Record<string, string>,
  lookup: (reference: string) => string | undefined,
): Record<string, string> | undefined {
  const values: Record<string, string> = {};
  for (const [name, reference] of Object.entries(references)) {
    const value = lookup(reference);
    if (value === undefined || value === "") return undefined;
    values[name] = value;
  }
  return values;
}

function isValidReference(pattern: FilterPattern, reference: string, literalAllowed: boolean): boolean {
  if (!reference.startsWith("$")) return literalAllowed && numeric(reference) !== undefined;
  if (pattern.kind === "json") return parseSelector(reference) !== undefined;
  if (pattern.kind !== "delimited") return false;
  const key = reference.slice(1);
  if (/^[1-9]\d*$/.test(key)) return true;
  const names = [...pattern.before, ...(pattern.after ?? [])].map((entry) => entry.key);
  return names.includes(key.toLowerCase());
}
