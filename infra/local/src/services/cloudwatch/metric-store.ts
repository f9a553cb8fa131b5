import type {
  Datapoint,
  GetMetricStatisticsInput,
  ListMetricsInput,
  Metric,
  MetricDatum,
} from "@aws-sdk/client-cloudwatch";
import { invalidCombination, invalidValue, missingParameter } from "./errors.js";
import { checkNamespace, type Sample, toSample } from "./metric-datum.js";
import { type MetricId, metricId, metricKey } from "./metric-identity.js";
import {
  Aggregate,
  MAX_VALUES_PER_BUCKET,
  parseStatistic,
  type StatisticName,
  statisticLabel,
} from "./statistics.js";

// PutMetricData stores samples in buckets: one a minute for every datum, and one a second as well
// for high-resolution datums (StorageResolution 1), the granularities AWS keeps them at. A period
// is then the merge of its buckets, which is how GetMetricStatistics, GetMetricData and alarms
// read them. Units are kept apart, since a query names one unit or takes them all.
//
// Memory is bounded by what is kept, not by what is put:
// - minute buckets for 24 hours (an alarm's evaluation window is at most one day) and second
//   buckets for 3 hours (AWS's own retention of 1-second data);
// - at most MAX_VALUES_PER_BUCKET distinct values in a bucket (a value past it joins its nearest
//   neighbour, so percentiles turn approximate rather than memory growing);
// - at most MAX_STORED_ENTRIES buckets-plus-distinct-values in all (the alarm benchmark measures
//   about 150 bytes of heap an entry, so some 75 MB at worst): past it the oldest tenth of the history goes for every metric at
//   once, so a busy store keeps a shorter history rather than losing whole metrics;
// - at most MAX_METRICS metrics, the least recently written dropped first.

export const MINUTE_RETENTION_MS = 24 * 3_600_000;
export const SECOND_RETENTION_MS = 3 * 3_600_000;
export const MAX_STORED_ENTRIES = 500_000;
export const MAX_METRICS = 10_000;
/** ListMetrics shows a metric for two weeks after its last datum, as AWS does. */
export const LISTED_FOR_MS = 14 * 86_400_000;
/** GetMetricStatistics returns at most 1,440 datapoints. */
export const MAX_DATAPOINTS = 1440;

interface Series {
  minutes: Map<number, Aggregate>;
  seconds: Map<number, Aggregate>;
}

interface StoredMetric {
  id: MetricId;
  units: Map<string, Series>;
  lastWrite: number;
}

export interface Window {
  start: number;
  end: number;
}

/** What alarm evaluation reads: the samples of one metric in one period. */
export interface MetricView {
  aggregate(metric: MetricId, window: Window, unit?: string): Aggregate | undefined;
}

/** The two global bounds; tests lower them to see them work. */
export interface StoreLimits {
  maxMetrics: number;
  maxStoredEntries: number;
}

export class MetricStore implements MetricView {
  constructor(
    private readonly limits: StoreLimits = { maxMetrics: MAX_METRICS, maxStoredEntries: MAX_STORED_ENTRIES },
  ) {}

  private readonly metrics = new Map<string, StoredMetric>();
  private entries = 0;
  /** Data older than this is gone; it moves forward when the store is over its entry budget. */
  private horizon = Number.NEGATIVE_INFINITY;

  /** Buckets plus distinct values held, the unit of MAX_STORED_ENTRIES. */
  get storedEntries(): number {
    return this.entries;
  }

  /** `reserved: "allowed"` for the region's own metrics (AWS/ApplicationELB, AWS/ECS) and their replay. */
  put(
    namespace: string | undefined,
    data: MetricDatum[],
    now: number,
    reserved: "refused" | "allowed" = "refused",
  ): void {
    const checkedNamespace = checkNamespace(namespace, reserved);
    if (data.length === 0 || data.length > 1000) {
      throw invalidValue("The collection MetricData must have between 1 and 1000 members.");
    }
    // Every datum is checked before any is stored: a rejected request stores nothing.
    const samples = data.map((datum, i) => toSample(checkedNamespace, datum, i + 1, now));
    for (const sample of samples) this.store(sample, now);
    this.enforceBounds(now);
  }

  aggregate(metric: MetricId, window: Window, unit?: string): Aggregate | undefined {
    const stored = this.metrics.get(metricKey(metric));
    if (!stored) return undefined;
    const highResolution = window.end - window.start < 60_000 || window.start % 60_000 !== 0;
    const found: Aggregate[] = [];
    for (const [seriesUnit, series] of stored.units) {
      if (unit !== undefined && seriesUnit !== unit) continue;
      found.push(
        ...bucketsIn(
          highResolution ? series.seconds : series.minutes,
          window,
          highResolution ? 1000 : 60_000,
        ),
      );
    }
    // One bucket is the answer as it is; callers only read aggregates.
    const total = found.length === 1 ? found[0]! : new Aggregate();
    if (found.length > 1) for (const bucket of found) total.merge(bucket);
    // Values put with zero counts make a bucket without samples: no datapoint, as for no bucket.
    return total.sampleCount > 0 ? total : undefined;
  }

  getMetricStatistics(input: GetMetricStatisticsInput): Datapoint[] {
    const statistics = requestedStatistics(input);
    const period = checkPeriod(input.Period);
    const windows = periodWindows(input.StartTime, input.EndTime, period);
    const metric = metricId(
      checkNamespace(input.Namespace, "allowed"),
      required(input.MetricName, "MetricName"),
      input.Dimensions,
    );
    return windows.flatMap((window) => {
      const aggregate = this.aggregate(metric, window, input.Unit);
      return aggregate ? [datapoint(window, aggregate, statistics, this.unitOf(metric, input.Unit))] : [];
    });
  }

  /** GetMetricData's answer for one MetricStat query, newest first as its default ScanBy is. */
  metricStatValues(metric: MetricId, stat: string, period: number, range: Window, unit?: string) {
    const statistic = parseStatistic(stat);
    const points = periodWindows(new Date(range.start), new Date(range.end), checkPeriod(period)).flatMap(
      (window) => {
        const value = this.aggregate(metric, window, unit)?.value(statistic);
        return value === undefined ? [] : [{ timestamp: new Date(window.start), value }];
      },
    );
    points.reverse();
    return { Timestamps: points.map((p) => p.timestamp), Values: points.map((p) => p.value) };
  }

  listMetrics(input: ListMetricsInput, now: number): Metric[] {
    const recentSince = input.RecentlyActive === "PT3H" ? now - 3 * 3_600_000 : now - LISTED_FOR_MS;
    return [...this.metrics.values()]
      .filter((m) => m.lastWrite >= recentSince && matchesFilter(m.id, input))
      .map((m) => ({ Namespace: m.id.namespace, MetricName: m.id.metricName, Dimensions: m.id.dimensions }));
  }

  private unitOf(metric: MetricId, unit: string | undefined): Datapoint["Unit"] {
    if (unit !== undefined) return unit as Datapoint["Unit"];
    const units = [...(this.metrics.get(metricKey(metric))?.units.keys() ?? [])];
    return (units.length === 1 ? units[0] : "None") as Datapoint["Unit"];
  }

  private store(sample: Sample, now: number): void {
    const key = metricKey(sample.metric);
    const stored = this.metrics.get(key) ?? { id: sample.metric, units: new Map(), lastWrite: now };
    stored.lastWrite = now;
    // Re-inserting keeps the map in least-recently-written order, for eviction.
    this.metrics.delete(key);
    this.metrics.set(key, stored);
    const series = stored.units.get(sample.unit) ?? { minutes: new Map(), seconds: new Map() };
    stored.units.set(sample.unit, series);
    this.addToBucket(series.minutes, sample, 60_000, MINUTE_RETENTION_MS, now);
    if (sample.highResolution) this.addToBucket(series.seconds, sample, 1000, SECOND_RETENTION_MS, now);
  }

  private addToBucket(
    buckets: Map<number, Aggregate>,
    sample: Sample,
    step: number,
    retention: number,
    now: number,
  ): void {
    const oldest = Math.max(now - retention, this.horizon);
    const start = floor(sample.timestamp, step);
    if (start < oldest) return;
    let bucket = buckets.get(start);
    if (!bucket) {
      // Buckets arrive in time order but for stragglers, so the old ones are at the front; a full
      // sweep is needed only once stragglers have made the map longer than its retention.
      const full = buckets.size > retention / step + 1;
      this.entries -= prune(buckets, oldest, full);
      bucket = new Aggregate();
      buckets.set(start, bucket);
      this.entries += 1;
    }
    const before = bucket.values.size;
    sample.addTo(bucket, MAX_VALUES_PER_BUCKET);
    this.entries += bucket.values.size - before;
  }

  private enforceBounds(now: number): void {
    for (const [key, metric] of this.metrics) {
      if (this.metrics.size <= this.limits.maxMetrics) break;
      this.evict(key, metric);
    }
    if (this.entries > this.limits.maxStoredEntries) this.trimHistory(now);
  }

  /** Moves the horizon forward a tenth of the history at a time until the store is within budget. */
  private trimHistory(now: number): void {
    let kept = Math.max(this.horizon, now - MINUTE_RETENTION_MS);
    while (this.entries > this.limits.maxStoredEntries * 0.9 && kept < now - 60_000) {
      kept += Math.max(60_000, (now - kept) / 10);
      this.horizon = kept;
      for (const metric of this.metrics.values()) {
        for (const series of metric.units.values()) {
          this.entries -= prune(series.minutes, kept, true) + prune(series.seconds, kept, true);
        }
      }
    }
    // A single minute of data over budget: whole metrics go, least recently written first.
    for (const [key, metric] of this.metrics) {
      if (this.entries <= this.limits.maxStoredEntries) break;
      this.evict(key, metric);
    }
  }

  private evict(key: string, metric: StoredMetric): void {
    this.entries -= size(metric);
    this.metrics.delete(key);
  }
}

function bucketsIn(buckets: Map<number, Aggregate>, window: Window, step: number): Aggregate[] {
  const first = Math.ceil(window.start / step) * step;
  if ((window.end - first) / step > buckets.size) {
    return [...buckets].filter(([start]) => start >= window.start && start < window.end).map(([, b]) => b);
  }
  const found: Aggregate[] = [];
  for (let start = first; start < window.end; start += step) {
    const bucket = buckets.get(start);
    if (bucket) found.push(bucket);
  }
  return found;
}

/** Drops the buckets older than `oldest` (from the front only, unless `full`); returns the entries freed. */
function prune(buckets: Map<number, Aggregate>, oldest: number, full: boolean): number {
  let freed = 0;
  for (const [start, bucket] of buckets) {
    if (start >= oldest) {
      if (full) continue;
      break;
    }
    buckets.delete(start);
    freed += 1 + bucket.values.size;
  }
  return freed;
}

function size(metric: StoredMetric): number {
  let entries = 0;
  for (const series of metric.units.values()) {
    for (const bucket of [...series.minutes.values(), ...series.seconds.values()])
      entries += 1 + bucket.values.size;
  }
  return entries;
}

function requestedStatistics(input: GetMetricStatisticsInput): StatisticName[] {
  const names = [...(input.Statistics ?? []), ...(input.ExtendedStatistics ?? [])];
  if (names.length === 0) {
    throw invalidCombination(
      "At least one of the parameters Statistics and ExtendedStatistics must be specified.",
    );
  }
  return names.map(parseStatistic);
}

/** 1, 5, 10 and 30 seconds read high-resolution data; longer periods are whole minutes. */
export function checkPeriod(period: number | undefined): number {
  if (period === undefined) throw missingParameter("Period");
  if ([1, 5, 10, 30].includes(period) || (period >= 60 && period % 60 === 0)) return period;
  throw invalidValue("The parameter Period must be 1, 5, 10, 30 or a multiple of 60.");
}

/** The periods of [start, end): start rounded down to the period's granularity, as AWS rounds it. */
function periodWindows(start: Date | undefined, end: Date | undefined, period: number): Window[] {
  if (!start) throw missingParameter("StartTime");
  if (!end) throw missingParameter("EndTime");
  if (start.getTime() >= end.getTime()) {
    throw invalidValue("The parameter StartTime must be less than the parameter EndTime.");
  }
  const step = period * 1000;
  const first = floor(start.getTime(), period < 60 ? 1000 : 60_000);
  const count = Math.ceil((end.getTime() - first) / step);
  if (count > MAX_DATAPOINTS) {
    throw invalidCombination(
      `You have requested up to ${count} datapoints, which exceeds the limit of ${MAX_DATAPOINTS}. You may reduce the datapoints requested by increasing Period, or decreasing the time range.`,
    );
  }
  return Array.from({ length: count }, (_, i) => ({ start: first + i * step, end: first + (i + 1) * step }));
}

function datapoint(
  window: Window,
  aggregate: Aggregate,
  statistics: StatisticName[],
  unit: Datapoint["Unit"],
): Datapoint {
  const point: Datapoint = { Timestamp: new Date(window.start), Unit: unit };
  const extended: Record<string, number> = {};
  for (const statistic of statistics) {
    const value = aggregate.value(statistic);
    if (value === undefined) continue;
    if (statistic.kind === "basic") point[statistic.name] = value;
    else extended[statisticLabel(statistic)] = value;
  }
  if (Object.keys(extended).length > 0) point.ExtendedStatistics = extended;
  return point;
}

function matchesFilter(id: MetricId, input: ListMetricsInput): boolean {
  if (input.Namespace !== undefined && id.namespace !== input.Namespace) return false;
  if (input.MetricName !== undefined && id.metricName !== input.MetricName) return false;
  return (input.Dimensions ?? []).every((filter) =>
    id.dimensions.some(
      (d) => d.Name === filter.Name && (filter.Value === undefined || d.Value === filter.Value),
    ),
  );
}

function required(value: string | undefined, name: string): string {
  if (!value) throw missingParameter(name);
  return value;
}

const floor = (time: number, step: number) => Math.floor(time / step) * step;
