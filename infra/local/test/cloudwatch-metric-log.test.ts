import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { MetricStore, MINUTE_RETENTION_MS, metricId } from "../src/services/cloudwatch/index.js";
import {
  emptyMetricLog,
  logMetricPut,
  MAX_LOGGED_DATUMS,
  replayMetricLog,
} from "../src/services/cloudwatch/metric-log.js";
import { MetricLogFile } from "../src/services/cloudwatch/metric-log-file.js";

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

describe("metric log file", () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  const stateDir = () => {
    const dir = mkdtempSync(join(tmpdir(), "metric-log-"));
    dirs.push(dir);
    return dir;
  };
  const fileOf = (dir: string) => join(dir, "state", "cloudwatch-metrics.jsonl");
  const now = Date.now();
  const put = (log: MetricLogFile, value: number, count = 1) =>
    logMetricPut(
      log.state,
      "App",
      Array.from({ length: count }, () => ({ MetricName: "Hits", Value: value })),
      now,
    );

  it("appends the puts of each commit and leaves what is on disk as it was", () => {
    const dir = stateDir();
    const log = new MetricLogFile(dir);
    put(log, 1);
    log.commit();
    const first = readFileSync(fileOf(dir), "utf8");
    put(log, 2);
    put(log, 3);
    log.commit();
    const second = readFileSync(fileOf(dir), "utf8");
    expect(second.startsWith(first)).toBe(true);
    expect(second.split("\n").filter(Boolean)).toHaveLength(3);
    expect(new MetricLogFile(dir).state).toEqual(log.state);
  });

  it("compacts to what the log keeps, boundedly, and reloads the same puts", () => {
    const dir = stateDir();
    const log = new MetricLogFile(dir);
    for (let i = 0; i < (3 * MAX_LOGGED_DATUMS) / 1000; i++) {
      put(log, i, 1000);
      log.commit();
    }
    const onDisk = readFileSync(fileOf(dir), "utf8").split("\n").filter(Boolean);
    const datums = onDisk.reduce((n, l) => n + (JSON.parse(l) as { data: unknown[] }).data.length, 0);
    expect(datums).toBeLessThanOrEqual(2 * MAX_LOGGED_DATUMS + 2000);
    expect(new MetricLogFile(dir).state).toEqual(log.state);
  });

  it("leaves out a line a crash cut short and reads the JSON file of older regions", () => {
    const dir = stateDir();
    const log = new MetricLogFile(dir);
    put(log, 7);
    log.commit();
    appendFileSync(fileOf(dir), '{"at":1,"namesp');
    expect(new MetricLogFile(dir).state).toEqual(log.state);

    const old = stateDir();
    mkdirSync(join(old, "state"), { recursive: true });
    const legacy = {
      puts: [{ at: now, namespace: "App", data: [{ MetricName: "Hits", Value: 1, Timestamp: now }] }],
    };
    writeFileSync(join(old, "state", "cloudwatch-metrics.json"), JSON.stringify(legacy));
    expect(new MetricLogFile(old).state).toEqual(legacy);
    expect(new MetricLogFile(old).state).toEqual(legacy);
  });
});
