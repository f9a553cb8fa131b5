import type { Sample } from "./load.js";
import { isFailure } from "./load-summary.js";
import type { ResultPlot } from "./reliability-results.js";

// Pure: what a deploy looks like over time, as plot series (seconds from the load's start): the
// targets of a service's groups by state, and the share of answered requests each version served.

/** One DescribeTargetHealth reading of a group: how many targets in each state. */
export interface TargetStateReading {
  at: number;
  group: string;
  counts: Record<string, number>;
}

/** One series per group and state seen, 0 where a reading of the group had none in that state. */
export function targetStateSeries(readings: TargetStateReading[], start: number): ResultPlot["series"] {
  const keys = new Set(readings.flatMap((r) => Object.keys(r.counts).map((state) => `${r.group} ${state}`)));
  return [...keys].sort().map((key) => ({
    name: key,
    points: readings
      .filter((r) => key.startsWith(`${r.group} `))
      .map((r): [number, number] => [
        round((r.at - start) / 1000),
        r.counts[key.slice(r.group.length + 1)] ?? 0,
      ]),
  }));
}

/** Per bucket, each version's share (%) of the answered requests; buckets with no answer left out. */
export function versionShareSeries(
  samples: readonly Sample[],
  start: number,
  bucketMs: number,
  versionOf: (sample: Sample) => string | undefined,
): ResultPlot["series"] {
  const buckets = new Map<number, Map<string, number>>();
  for (const s of samples) {
    if (isFailure(s)) continue;
    const version = versionOf(s);
    if (!version) continue;
    const bucket = Math.floor((s.startedAt - start) / bucketMs);
    const counts = buckets.get(bucket) ?? new Map<string, number>();
    counts.set(version, (counts.get(version) ?? 0) + 1);
    buckets.set(bucket, counts);
  }
  const versions = [...new Set([...buckets.values()].flatMap((c) => [...c.keys()]))];
  const ordered = [...buckets.keys()].sort((a, b) => a - b);
  return versions.map((version) => ({
    name: version,
    points: ordered.map((b): [number, number] => {
      const counts = buckets.get(b)!;
      const total = [...counts.values()].reduce((n, c) => n + c, 0);
      return [round((b * bucketMs) / 1000), round(((counts.get(version) ?? 0) * 100) / total)];
    }),
  }));
}

const round = (v: number) => Math.round(v * 10) / 10;
