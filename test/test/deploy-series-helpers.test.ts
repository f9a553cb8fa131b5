import { describe, expect, it } from "vitest";
import { targetStateSeries, versionShareSeries } from "../src/deploy-series.js";
import type { Sample } from "../src/load.js";
import { jsonField } from "../src/load-summary.js";

// No region: the series of the "targets by state" and "share per version" plots.

const sample = (startedAt: number, status: number, commit?: string): Sample => ({
  stream: "prod",
  host: "localhost",
  path: "/api/v1/version",
  startedAt,
  endedAt: startedAt + 5,
  status,
  body: commit ? JSON.stringify({ commit }) : "",
});

describe("targetStateSeries", () => {
  it("gives each group and state its own line, 0 where a reading of that group has none", () => {
    const series = targetStateSeries(
      [
        { at: 1_000, group: "blue", counts: { healthy: 2 } },
        { at: 1_000, group: "green", counts: { initial: 1 } },
        { at: 2_000, group: "blue", counts: { healthy: 1, draining: 1 } },
        { at: 2_000, group: "green", counts: { healthy: 1 } },
      ],
      0,
    );
    expect(series).toEqual([
      {
        name: "blue draining",
        points: [
          [1, 0],
          [2, 1],
        ],
      },
      {
        name: "blue healthy",
        points: [
          [1, 2],
          [2, 1],
        ],
      },
      {
        name: "green healthy",
        points: [
          [1, 0],
          [2, 1],
        ],
      },
      {
        name: "green initial",
        points: [
          [1, 1],
          [2, 0],
        ],
      },
    ]);
  });
});

describe("versionShareSeries", () => {
  it("gives each version's share of the answered requests per bucket, failures left out", () => {
    const samples = [
      sample(100, 200, "old"),
      sample(200, 200, "old"),
      sample(300, 200, "old"),
      sample(400, 200, "new"),
      sample(500, 502),
      sample(1_100, 200, "new"),
    ];
    expect(versionShareSeries(samples, 0, 1_000, jsonField("commit"))).toEqual([
      {
        name: "old",
        points: [
          [0, 75],
          [1, 0],
        ],
      },
      {
        name: "new",
        points: [
          [0, 25],
          [1, 100],
        ],
      },
    ]);
  });
});
