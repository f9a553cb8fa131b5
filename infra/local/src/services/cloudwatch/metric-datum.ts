import { type MetricDatum, StandardUnit } from "@aws-sdk/client-cloudwatch";
import { invalidCombination, invalidValue, missingParameter } from "./errors.js";
import { type MetricId, metricId } from "./metric-identity.js";
import type { Aggregate } from "./statistics.js";

// PutMetricData's rules for one datum (API reference, PutMetricData and MetricDatum): exactly one
// of Value, StatisticValues or Values (+ Counts); at most 150 values; numbers between -2^360 and
// 2^360 and no NaN or infinities; a timestamp at most two weeks old and two hours ahead; storage
// resolution 1 (high resolution) or 60.

export interface Sample {
  metric: MetricId;
  timestamp: number;
  unit: StandardUnit;
  highResolution: boolean;
  /** Adds the datum's values to a bucket, keeping at most `cap` distinct values. */
  addTo(bucket: Aggregate, cap: number): void;
}

export const MAX_VALUES_PER_DATUM = 150;
const LIMIT = 2 ** 360;
const TWO_WEEKS = 14 * 86_400_000;
const TWO_HOURS = 2 * 3_600_000;
const UNITS = new Set<string>(Object.values(StandardUnit));

/**
 * "AWS/" namespaces are AWS's own: PutMetricData refuses them, while alarms, reads and the region's
 * own services (its load balancer's, ECS's metrics) use them, hence `reserved`.
 */
export function checkNamespace(
  namespace: string | undefined,
  reserved: "refused" | "allowed" = "refused",
): string {
  if (!namespace) throw missingParameter("Namespace");
  if (namespace.length > 255 || (reserved === "refused" && namespace.startsWith("AWS/"))) {
    throw invalidValue(`The value ${namespace} for parameter Namespace is invalid.`);
  }
  return namespace;
}

export function toSample(namespace: string, datum: MetricDatum, member: number, now: number): Sample {
  const at = `MetricData.member.${member}`;
  if (!datum.MetricName) throw missingParameter(`${at}.MetricName`);
  return {
    metric: metricId(namespace, datum.MetricName, datum.Dimensions),
    timestamp: checkTimestamp(datum.Timestamp?.getTime() ?? now, now, at),
    unit: checkUnit(datum.Unit, at),
    highResolution: checkResolution(datum.StorageResolution, at) === 1,
    addTo: valuesOf(datum, at),
  };
}

function valuesOf(datum: MetricDatum, at: string): Sample["addTo"] {
  const given = [datum.Value, datum.StatisticValues, datum.Values].filter((v) => v !== undefined).length;
  if (given === 0) throw missingParameter(`${at}.Value`);
  if (given > 1) {
    throw invalidCombination(
      `The parameters ${at}.Value, ${at}.StatisticValues and ${at}.Values are mutually exclusive.`,
    );
  }
  if (datum.Value !== undefined) {
    const value = checkNumber(datum.Value, `${at}.Value`);
    return (bucket, cap) => bucket.addValue(value, 1, cap);
  }
  if (datum.Values !== undefined) return valuesAndCounts(datum.Values, datum.Counts, at);
  const set = checkStatisticSet(datum.StatisticValues!, at);
  return (bucket, cap) => bucket.addStatisticSet(set, cap);
}

function valuesAndCounts(values: number[], counts: number[] | undefined, at: string): Sample["addTo"] {
  if (values.length > MAX_VALUES_PER_DATUM) {
    throw invalidValue(
      `The collection ${at}.Values must not have more than ${MAX_VALUES_PER_DATUM} members.`,
    );
  }
  if (counts && counts.length !== values.length) {
    throw invalidValue(`The parameters ${at}.Values and ${at}.Counts must be of the same size.`);
  }
  for (const [i, value] of values.entries()) checkNumber(value, `${at}.Values.member.${i + 1}`);
  counts?.forEach((count, i) => {
    if (!(checkNumber(count, `${at}.Counts.member.${i + 1}`) >= 0)) {
      throw invalidValue(`The value ${count} for parameter ${at}.Counts.member.${i + 1} is invalid.`);
    }
  });
  return (bucket, cap) => {
    values.forEach((value, i) => {
      const count = counts?.[i] ?? 1;
      if (count > 0) bucket.addValue(value, count, cap);
    });
  };
}

function checkStatisticSet(set: NonNullable<MetricDatum["StatisticValues"]>, at: string) {
  const checked = {
    SampleCount: checkNumber(set.SampleCount, `${at}.StatisticValues.SampleCount`),
    Sum: checkNumber(set.Sum, `${at}.StatisticValues.Sum`),
    Minimum: checkNumber(set.Minimum, `${at}.StatisticValues.Minimum`),
    Maximum: checkNumber(set.Maximum, `${at}.StatisticValues.Maximum`),
  };
  if (checked.SampleCount <= 0 || checked.Minimum > checked.Maximum) {
    throw invalidValue(`The parameter ${at}.StatisticValues is not a valid statistic set.`);
  }
  return checked;
}

function checkNumber(value: number | undefined, name: string): number {
  if (value === undefined) throw missingParameter(name);
  if (!Number.isFinite(value) || Math.abs(value) > LIMIT) {
    throw invalidValue(`The value ${value} for parameter ${name} is invalid.`);
  }
  return value;
}

function checkTimestamp(timestamp: number, now: number, at: string): number {
  if (timestamp < now - TWO_WEEKS || timestamp > now + TWO_HOURS) {
    throw invalidValue(
      `The parameter ${at}.Timestamp must specify a time no more than two weeks in the past and two hours in the future.`,
    );
  }
  return timestamp;
}

function checkUnit(unit: string | undefined, at: string): StandardUnit {
  if (unit === undefined) return "None";
  if (!UNITS.has(unit)) throw invalidValue(`The value ${unit} for parameter ${at}.Unit is invalid.`);
  return unit as StandardUnit;
}

function checkResolution(resolution: number | undefined, at: string): number {
  if (resolution === undefined || resolution === 60 || resolution === 1) return resolution ?? 60;
  throw invalidValue(
    `The value ${resolution} for parameter ${at}.StorageResolution is invalid: use 1 or 60.`,
  );
}
