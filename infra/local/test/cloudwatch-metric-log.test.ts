import { describe, expect, it } from "vitest";
import { MetricStore, MINUTE_RETENTION_MS, metricId } from "../src/services/cloudwatch/index.js";
import {
  emptyMetricLog,
  logMetricPut,
  MAX_LOGGED_DATUMS,
  replayMetricLog,
} from "../src/services/cloudwatch/metric-log.js";

// The metric store's durable form: accepted puts, replayed with their own times, bounded by the
// store's retention and a datum cap. Plain state, no disk.

const NOW = Date.UTC(2026, 1, 12, 10, 0, 30);
const T0 = Date.UTC(2026, 1, 12, 9, 50);

describe("metric log", () => {
  it("rebuilds the same store when replayed, through JSON", () => {
    const log = emptyMetricLog();
    const live = new MetricStore();
    const data = [{ MetricName: "Hits", Values: [1, 5], Counts: [2, 1], Timestamp: new Date(T0) }];
    live.put("App", data, NOW);
    logMetricPut(log, "App", data, NOW);
    const restored = new MetricStore();
    replayMetricLog(JSON.parse(JSON.stringify(log)), restored);
    const window = { start: T0, end: T0 + 60_000 };
    const hits = metricId("App", "Hits");
    expect(restored.aggregate(hits, window)?.sum).toBe(7);
    expect(restored.aggregate(hits, window)?.sampleCount).toBe(live.aggregate(hits, window)?.sampleCount);
  });

  it("drops puts older than the store's minute retention and the oldest past the datum cap", () => {
    const log = emptyMetricLog();
    logMetricPut(log, "App", [{ MetricName: "Old", Value: 1 }], NOW - MINUTE_RETENTION_MS - 1);
    logMetricPut(log, "App", [{ MetricName: "New", Value: 1 }], NOW);
    expect(log.puts.map((p) => p.data[0]?.MetricName)).toEqual(["New"]);

    const big = Array.from({ length: 1000 }, () => ({ MetricName: "Many", Value: 1 }));
    for (let i = 0; i <= MAX_LOGGED_DATUMS / 1000; i++) logMetricPut(log, "App", big, NOW);
    expect(log.puts.reduce((n, p) => n + p.data.length, 0)).toBeLessThanOrEqual(MAX_LOGGED_DATUMS);
    expect(log.puts.at(-1)?.data).toHaveLength(1000);
  });
});
