import type { Dimension, MetricDatum, StandardUnit } from "@aws-sdk/client-cloudwatch";

// AWS/ApplicationELB's metrics, aggregated in memory per minute: what the proxy saw (requests,
// status codes, target response times) and what the health checker decided (healthy and unhealthy
// hosts). Pure: events come in with their time, `drain` hands out what accumulated since the last
// drain, as MetricDatums for the region's MetricSink, and forgets it, so memory stays bounded by
// what happens between two drains (and MAX_DISTINCT_TIMES response times per series and minute).
//
// Names and dimensions are AWS's: LoadBalancer = `app/<name>/<id>` (the LB ARN's suffix),
// TargetGroup = `targetgroup/<name>/<id>`. Counts are published only when non-zero, as ALB does.
// TargetResponseTime goes out as Values/Counts arrays (seconds), which the local CloudWatch keeps
// value by value, so p95 over a minute is the real nearest-rank p95 and not an average of averages.

export const NAMESPACE = "AWS/ApplicationELB";
const MINUTE = 60_000;
/** Distinct response times (ms) a series keeps per minute; a new one past it joins its nearest neighbour. */
export const MAX_DISTINCT_TIMES = 1000;
/** PutMetricData's limit of values per datum. */
const MAX_VALUES_PER_DATUM = 150;

type CountMetric =
  | "RequestCount"
  | "HTTPCode_Target_2XX_Count"
  | "HTTPCode_Target_3XX_Count"
  | "HTTPCode_Target_4XX_Count"
  | "HTTPCode_Target_5XX_Count"
  | "HTTPCode_ELB_4XX_Count"
  | "HTTPCode_ELB_5XX_Count";

interface Series {
  metricName: string;
  dimensions: Dimension[];
  unit: StandardUnit;
  /** Per minute start: a count, response times (ms → how many), or host-count samples. */
  minutes: Map<number, MinuteData>;
}

type MinuteData =
  | { kind: "count"; sum: number }
  | { kind: "times"; counts: Map<number, number> }
  | { kind: "samples"; min: number; max: number; sum: number; count: number };

/** `arn:...:loadbalancer/app/name/id` → `app/name/id`. */
export function loadBalancerDimension(loadBalancerArn: string): string {
  return loadBalancerArn.slice(loadBalancerArn.indexOf(":loadbalancer/") + ":loadbalancer/".length);
}

/** `arn:...:targetgroup/name/id` → `targetgroup/name/id`. */
export function targetGroupDimension(targetGroupArn: string): string {
  return targetGroupArn.slice(targetGroupArn.lastIndexOf(":") + 1);
}

export class AlbMetrics {
  private readonly series = new Map<string, Series>();
  /** Host counts go out once their minute is over: a minute's Average of what the checker decided. */
  private readonly hostSamples = new Map<string, Series>();

  /** A request the load balancer forwarded to a target, and the target's answer. */
  targetResponse(at: number, lb: string, tg: string, status: number, responseMs: number): void {
    for (const dims of [groupDims(lb, tg), lbDims(lb)]) {
      this.count(at, "RequestCount", dims);
      const codeClass = Math.floor(status / 100);
      if (codeClass >= 2 && codeClass <= 5)
        this.count(at, `HTTPCode_Target_${codeClass}XX_Count` as CountMetric, dims);
      this.time(at, dims, responseMs);
    }
  }

  /**
   * An answer the load balancer gave itself: a 502/504 for a target it had chosen (then the request
   * counts, as ALB counts requests once a target is chosen), or a 503 with no target to choose.
   */
  elbResponse(at: number, lb: string, status: number, tg?: string): void {
    if (tg !== undefined) {
      this.count(at, "RequestCount", groupDims(lb, tg));
      this.count(at, "RequestCount", lbDims(lb));
    }
    if (status >= 500 && status < 600) this.count(at, "HTTPCode_ELB_5XX_Count", lbDims(lb));
    else if (status >= 400 && status < 500) this.count(at, "HTTPCode_ELB_4XX_Count", lbDims(lb));
  }

  /** The health checker's view of a target group behind one load balancer, sampled. */
  hosts(at: number, lb: string, tg: string, healthy: number, unhealthy: number): void {
    this.sample(at, "HealthyHostCount", groupDims(lb, tg), healthy);
    this.sample(at, "UnHealthyHostCount", groupDims(lb, tg), unhealthy);
  }

  /** What accumulated since the last drain: request metrics of every minute, host counts of minutes over. */
  drain(now: number): MetricDatum[] {
    const data = [...this.series.values()].flatMap((s) => datumsOf(s, () => true));
    this.series.clear();
    const open = minuteOf(now);
    for (const [key, s] of this.hostSamples) {
      data.push(...datumsOf(s, (minute) => minute < open));
      if (s.minutes.size === 0) this.hostSamples.delete(key);
    }
    return data;
  }

  private count(at: number, metricName: CountMetric, dims: Dimension[]): void {
    const minute = this.minute(this.series, metricName, dims, "Count", at, () => ({ kind: "count", sum: 0 }));
    if (minute.kind === "count") minute.sum += 1;
  }

  private time(at: number, dims: Dimension[], ms: number): void {
    const minute = this.minute(this.series, "TargetResponseTime", dims, "Seconds", at, () => ({
      kind: "times",
      counts: new Map(),
    }));
    if (minute.kind !== "times") return;
    const key = distinctTime(minute.counts, Math.max(0, Math.round(ms)));
    minute.counts.set(key, (minute.counts.get(key) ?? 0) + 1);
  }

  private sample(at: number, metricName: string, dims: Dimension[], value: number): void {
    const minute = this.minute(this.hostSamples, metricName, dims, "Count", at, () => ({
      kind: "samples",
      min: value,
      max: value,
      sum: 0,
      count: 0,
    }));
    if (minute.kind !== "samples") return;
    minute.min = Math.min(minute.min, value);
    minute.max = Math.max(minute.max, value);
    minute.sum += value;
    minute.count += 1;
  }

  private minute(
    table: Map<string, Series>,
    metricName: string,
    dimensions: Dimension[],
    unit: StandardUnit,
    at: number,
    empty: () => MinuteData,
  ): MinuteData {
    const key = `${metricName}|${dimensions.map((d) => d.Value).join("|")}`;
    let series = table.get(key);
    if (!series) {
      series = { metricName, dimensions, unit, minutes: new Map() };
      table.set(key, series);
    }
    const start = minuteOf(at);
    let data = series.minutes.get(start);
    if (!data) {
      data = empty();
      series.minutes.set(start, data);
    }
    return data;
  }
}

const minuteOf = (at: number) => Math.floor(at / MINUTE) * MINUTE;
const lbDims = (lb: string): Dimension[] => [{ Name: "LoadBalancer", Value: loadBalancerDimension(lb) }];
const groupDims = (lb: string, tg: string): Dimension[] => [
  { Name: "TargetGroup", Value: targetGroupDimension(tg) },
  { Name: "LoadBalancer", Value: loadBalancerDimension(lb) },
];

/** The key a response time is counted under: itself, or its nearest kept neighbour once the minute is full. */
function distinctTime(counts: Map<number, number>, ms: number): number {
  if (counts.has(ms) || counts.size < MAX_DISTINCT_TIMES) return ms;
  let nearest = ms;
  let distance = Number.POSITIVE_INFINITY;
  for (const kept of counts.keys()) {
    if (Math.abs(kept - ms) < distance) {
      nearest = kept;
      distance = Math.abs(kept - ms);
    }
  }
  return nearest;
}

/** The datums of a series' minutes that `take` selects, which it then forgets. */
function datumsOf(series: Series, take: (minute: number) => boolean): MetricDatum[] {
  const data: MetricDatum[] = [];
  for (const [minute, value] of series.minutes) {
    if (!take(minute)) continue;
    series.minutes.delete(minute);
    const base = {
      MetricName: series.metricName,
      Dimensions: series.dimensions,
      Timestamp: new Date(minute),
      Unit: series.unit,
    };
    if (value.kind === "count") data.push({ ...base, Value: value.sum });
    else if (value.kind === "samples") {
      const { min, max, sum, count } = value;
      data.push({ ...base, StatisticValues: { Minimum: min, Maximum: max, Sum: sum, SampleCount: count } });
    } else data.push(...timeDatums(base, value.counts));
  }
  return data;
}

function timeDatums(base: MetricDatum, counts: Map<number, number>): MetricDatum[] {
  const entries = [...counts.entries()].sort(([a], [b]) => a - b);
  const data: MetricDatum[] = [];
  for (let i = 0; i < entries.length; i += MAX_VALUES_PER_DATUM) {
    const chunk = entries.slice(i, i + MAX_VALUES_PER_DATUM);
    data.push({ ...base, Values: chunk.map(([ms]) => ms / 1000), Counts: chunk.map(([, n]) => n) });
  }
  return data;
}
