import type { Sample } from "./load.js";
import { isFailure } from "./load-summary.js";

// Pure: latency percentiles and the load over time in buckets, for the reliability report.

/** Nearest-rank percentile (p in 0..100) of values; undefined for none. */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export interface LatencyFigures {
  requests: number;
  failures: number;
  p50Ms?: number;
  p95Ms?: number;
  p99Ms?: number;
  maxMs?: number;
}

/** Percentiles of the answered requests: a refused connection fails in 1 ms and would flatter them. */
export function latencyFigures(samples: readonly Sample[]): LatencyFigures {
  const ms = samples.filter((s) => !isFailure(s)).map((s) => s.endedAt - s.startedAt);
  return {
    requests: samples.length,
    failures: samples.filter(isFailure).length,
    ...defined({
      p50Ms: percentile(ms, 50),
      p95Ms: percentile(ms, 95),
      p99Ms: percentile(ms, 99),
      maxMs: percentile(ms, 100),
    }),
  };
}

export interface Bucket {
  /** Bucket start, seconds from `origin`. */
  t: number;
  requests: number;
  failures: number;
  p50Ms?: number;
  p99Ms?: number;
}

/** Requests by send time in buckets of `bucketMs` from `origin` (epoch ms); empty buckets kept. */
export function timeline(samples: readonly Sample[], origin: number, bucketMs: number): Bucket[] {
  if (!(bucketMs > 0)) throw new Error(`bucket width must be positive, got ${bucketMs}`);
  const groups = new Map<number, Sample[]>();
  for (const s of samples) {
    const index = Math.floor((s.startedAt - origin) / bucketMs);
    groups.set(index, [...(groups.get(index) ?? []), s]);
  }
  if (groups.size === 0) return [];
  const first = Math.min(...groups.keys());
  const last = Math.max(...groups.keys());
  return Array.from({ length: last - first + 1 }, (_, i) => {
    const inside = groups.get(first + i) ?? [];
    const figures = latencyFigures(inside);
    return {
      t: ((first + i) * bucketMs) / 1000,
      requests: inside.length,
      failures: figures.failures,
      ...defined({ p50Ms: figures.p50Ms, p99Ms: figures.p99Ms }),
    };
  });
}

/** Requests sent before `at` and answered (or failed) at or after it: in flight at that moment. */
export function inFlightAt(samples: readonly Sample[], at: number): Sample[] {
  return samples.filter((s) => s.startedAt <= at && s.endedAt >= at);
}

function defined<T extends Record<string, number | undefined>>(record: T): Partial<T> {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)) as Partial<T>;
}
