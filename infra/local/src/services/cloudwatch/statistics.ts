import type { Statistic } from "@aws-sdk/client-cloudwatch";
import { invalidValue, notSupported } from "./errors.js";

// The statistics of "CloudWatch statistics definitions": SampleCount, Sum, Average, Minimum,
// Maximum, and percentiles pNN.NN. A percentile is the nearest-rank value: "p99 is the maximum
// value of the remaining 99%" once the highest 1% are set aside. Percentiles need raw values, so a
// statistic set only counts when it stands for one repeated value (SampleCount 1, or Min = Max
// and Sum = Min × SampleCount), and "these statistics are not available for metrics when any of
// the metric values are negative numbers".

export type StatisticName =
  | { kind: "basic"; name: Statistic }
  | { kind: "percentile"; label: string; p: number };

const BASIC: readonly Statistic[] = ["SampleCount", "Sum", "Average", "Minimum", "Maximum"];
const PERCENTILE = /^p(\d{1,2}(\.\d{1,10})?|100(\.0{1,10})?)$/;
// Trimmed mean, winsorized mean, percentile rank, trimmed count/sum and the interquartile mean.
const OTHER_EXTENDED = /^(tm|wm|pr|tc|ts|iqm)|^(TM|WM|PR|TC|TS)\(|^IQM$/;

/** Distinct values a stored bucket keeps exactly; past it a value joins its nearest neighbour. */
export const MAX_VALUES_PER_BUCKET = 1000;

export function parseStatistic(name: string): StatisticName {
  if ((BASIC as readonly string[]).includes(name)) return { kind: "basic", name: name as Statistic };
  if (PERCENTILE.test(name)) return { kind: "percentile", label: name, p: Number(name.slice(1)) };
  if (OTHER_EXTENDED.test(name)) throw notSupported(`The extended statistic ${name}`);
  throw invalidValue(`The value ${name} for parameter ExtendedStatistic is not a valid statistic.`);
}

export function statisticLabel(statistic: StatisticName): string {
  return statistic.kind === "basic" ? statistic.name : statistic.label;
}

/** Samples of one period (or one stored bucket): the four moments, plus the values for percentiles. */
export class Aggregate {
  sampleCount = 0;
  sum = 0;
  minimum = Number.POSITIVE_INFINITY;
  maximum = Number.NEGATIVE_INFINITY;
  /** value → how many times it was seen. */
  readonly values = new Map<number, number>();
  /** False once a sample arrived that percentiles cannot account for. */
  percentiles = true;
  /** The values in order, kept between changes: alarms read the same buckets every second. */
  private sorted?: [value: number, count: number][];

  addValue(value: number, count = 1, cap = Number.POSITIVE_INFINITY): void {
    this.addMoments(count, value * count, value, value);
    if (value < 0) this.percentiles = false;
    const key = this.values.has(value) || this.values.size < cap ? value : nearest(this.values, value);
    this.values.set(key, (this.values.get(key) ?? 0) + count);
    this.sorted = undefined;
  }

  addStatisticSet(
    set: { SampleCount: number; Sum: number; Minimum: number; Maximum: number },
    cap?: number,
  ): void {
    const repeated = set.Minimum === set.Maximum && set.Sum === set.Minimum * set.SampleCount;
    if (repeated && Number.isInteger(set.SampleCount)) {
      this.addValue(set.Minimum, set.SampleCount, cap);
    } else {
      this.addMoments(set.SampleCount, set.Sum, set.Minimum, set.Maximum);
      this.percentiles = false;
    }
  }

  merge(other: Aggregate): void {
    this.addMoments(other.sampleCount, other.sum, other.minimum, other.maximum);
    this.percentiles &&= other.percentiles;
    for (const [value, count] of other.values) this.values.set(value, (this.values.get(value) ?? 0) + count);
    this.sorted = undefined;
  }

  value(statistic: StatisticName): number | undefined {
    if (statistic.kind === "percentile") return this.percentile(statistic.p);
    switch (statistic.name) {
      case "SampleCount":
        return this.sampleCount;
      case "Sum":
        return this.sum;
      case "Average":
        return this.sum / this.sampleCount;
      case "Minimum":
        return this.minimum;
      case "Maximum":
        return this.maximum;
    }
  }

  percentile(p: number): number | undefined {
    if (!this.percentiles || this.values.size === 0) return undefined;
    this.sorted ??= [...this.values].sort(([a], [b]) => a - b);
    const sorted = this.sorted;
    // Every sample is in `values` once percentiles are available, so the count is the total.
    const total = this.sampleCount;
    const rank = Math.max(1, Math.ceil((p / 100) * total));
    let seen = 0;
    for (const [value, count] of sorted) {
      seen += count;
      if (seen >= rank) return value;
    }
    return sorted.at(-1)?.[0];
  }

  private addMoments(count: number, sum: number, minimum: number, maximum: number): void {
    this.sampleCount += count;
    this.sum += sum;
    this.minimum = Math.min(this.minimum, minimum);
    this.maximum = Math.max(this.maximum, maximum);
  }
}

function nearest(values: Map<number, number>, value: number): number {
  let best = value;
  let distance = Number.POSITIVE_INFINITY;
  for (const key of values.keys()) {
    if (Math.abs(key - value) < distance) [best, distance] = [key, Math.abs(key - value)];
  }
  return best;
}
