import { describe, expect, it } from "vitest";
import { inFlightAt, latencyFigures, percentile, timeline } from "../src/latency.js";
import type { Sample } from "../src/load.js";
import { lost, NOTHING_LOST } from "../src/region-inventory.js";
import {
  errorSeries,
  figureTable,
  latencySeries,
  passConditions,
  streamTable,
  summaryTable,
} from "../src/reliability-report.js";
import type { ScenarioResult } from "../src/reliability-results.js";

// No region: the reliability suites' pure readings (latency, in flight, inventory loss, report rows).

const sample = (startedAt: number, endedAt: number, status = 200): Sample => ({
  stream: "prod",
  host: "localhost",
  path: "/",
  startedAt,
  endedAt,
  status,
  body: "",
});

describe("percentile", () => {
  it("is the nearest rank, undefined for no values", () => {
    expect(percentile([], 50)).toBeUndefined();
    expect(percentile([5, 1, 3, 2, 4], 50)).toBe(3);
    expect(percentile([5, 1, 3, 2, 4], 100)).toBe(5);
    expect(percentile([5, 1, 3, 2, 4], 0)).toBe(1);
    expect(
      percentile(
        Array.from({ length: 100 }, (_, i) => i + 1),
        99,
      ),
    ).toBe(99);
  });
});

describe("latencyFigures and timeline", () => {
  const samples = [sample(0, 10), sample(100, 130), sample(1500, 1600, 502), sample(3100, 3105)];

  it("counts failures and takes percentiles of the answered requests' durations", () => {
    expect(latencyFigures(samples)).toEqual({
      requests: 4,
      failures: 1,
      p50Ms: 10,
      p95Ms: 30,
      p99Ms: 30,
      maxMs: 30,
    });
  });

  it("puts requests in buckets by send time and keeps empty buckets", () => {
    const buckets = timeline(samples, 0, 1000);
    expect(buckets.map((b) => [b.t, b.requests, b.failures])).toEqual([
      [0, 2, 0],
      [1, 1, 1],
      [2, 0, 0],
      [3, 1, 0],
    ]);
    expect(buckets[2]?.p50Ms).toBeUndefined();
    expect(() => timeline(samples, 0, 0)).toThrow(/positive/);
  });

  it("finds the requests in flight at a moment (sent before, answered at or after)", () => {
    expect(inFlightAt(samples, 120)).toEqual([samples[1]]);
    expect(inFlightAt(samples, 1000)).toEqual([]);
  });
});

describe("lost", () => {
  const before = {
    taskDefinitions: ["td:1", "td:2"],
    images: ["api@sha256:a"],
    logEvents: { "/ecs/api-qa": 10, "/ecs/api-prod": 5 },
    metrics: ["AWS/ECS/CPUUtilization"],
    alarms: { "api-qa-5xx": "OK", "api-prod-5xx": "ALARM" },
  };

  it("is empty when after holds all of before and more", () => {
    const after = {
      ...before,
      taskDefinitions: ["td:1", "td:2", "td:3"],
      logEvents: { "/ecs/api-qa": 12, "/ecs/api-prod": 5 },
    };
    expect(lost(before, after)).toEqual(NOTHING_LOST);
  });

  it("names what went missing, fewer log events, and alarm state changes apart", () => {
    const after = {
      taskDefinitions: ["td:1"],
      images: [],
      logEvents: { "/ecs/api-qa": 7 },
      metrics: [],
      alarms: { "api-qa-5xx": "INSUFFICIENT_DATA" },
    };
    expect(lost(before, after)).toEqual({
      taskDefinitions: ["td:2"],
      images: ["api@sha256:a"],
      logEvents: ["/ecs/api-qa: 10 → 7", "/ecs/api-prod: 5 → 0"],
      metrics: ["AWS/ECS/CPUUtilization"],
      alarms: ["api-prod-5xx"],
      alarmStateChanges: ["api-qa-5xx: OK → INSUFFICIENT_DATA"],
    });
  });
});

describe("report rows and plot series", () => {
  const result: ScenarioResult = {
    scenario: "kill",
    ranAt: "2026-12-03T12:00:00.000Z",
    machine: { cpus: 2, loadAverage: [1, 2, 3], node: "v24" },
    streams: { prod: { requests: 10, failures: 1, p50Ms: 3, p95Ms: 9, p99Ms: 12, maxMs: 40 } },
    timeline: [
      { t: 0, requests: 4, failures: 1, p50Ms: 3, p99Ms: 9 },
      { t: 1, requests: 0, failures: 0 },
    ],
    markers: [{ t: 0.5, label: "kill -9" }],
    figures: { "a | b": "x|y" },
    notes: [],
  };

  it("writes one table row per stream and escapes pipes in figures", () => {
    expect(streamTable(result.streams).at(-1)).toBe("| prod | 10 | 1 | 3 | 9 | 12 | 40 |");
    expect(figureTable(result.figures).at(-1)).toBe("| a \\| b | x\\|y |");
  });

  it("sums a scenario's streams and counts its boolean pass conditions in the summary", () => {
    const figures = {
      "pass: jobs once": true,
      "2. never healthy: pass": false,
      "bar met": true,
      "pass count": 3,
    };
    expect(passConditions(figures)).toEqual({ held: 2, of: 3 });
    const second = { ...result, streams: { ...result.streams, qa: { requests: 5, failures: 0 } }, figures };
    expect(summaryTable([{ title: "kill", form: "in npm test", result: second }]).at(-1)).toBe(
      "| kill | in npm test | 2026-12-03 12:00 (1.0) | 15 | 1 | 2 of 3 |",
    );
    expect(summaryTable([{ title: "x", form: "by hand", result }]).at(-1)).toContain("| measured only |");
    const checked = {
      ...result,
      streams: { ...result.streams, "qa test listener": { requests: 7, failures: 7 } },
    };
    expect(summaryTable([{ title: "x", form: "by hand", result: checked }]).at(-1)).toContain(
      "| 10 | 1 (and 7 of green's checks on the test listener) |",
    );
  });

  it("leaves seconds without answers out of the latency lines, in the error rate as 0 %", () => {
    expect(latencySeries(result).map((s) => s.points)).toEqual([[[0, 3]], [[0, 9]]]);
    expect(errorSeries(result)[0]?.points).toEqual([
      [0, 25],
      [1, 0],
    ]);
  });
});
