import { describe, expect, it } from "vitest";
import { p99Series } from "../reliability/plots-load-steps.js";
import {
  doublingRates,
  rateWhereP99Passes,
  type Shot,
  type StepFigures,
  type StepRun,
  saturated,
  stepFigures,
} from "../src/open-loop.js";
import type { ScenarioResult } from "../src/reliability-results.js";

// No region: the load-steps scenario's readings of an open-loop step, the rate at which p99 passes the
// threshold, when a path is saturated, and the plot's series from the report's table.

const shot = (scheduledMs: number, sentMs: number, endedMs: number, status = 200, error?: string): Shot => ({
  scheduledMs,
  sentMs,
  endedMs,
  status,
  ...(error !== undefined && { error }),
});

const run = (shots: Shot[], wallMs = 1000, cpuMs = 100): StepRun => ({ shots, notSent: 0, wallMs, cpuMs });

const step = (ratePerSecond: number, p99Ms: number | undefined, failures = 0): StepFigures => ({
  target: "t",
  ratePerSecond,
  sent: ratePerSecond,
  notSent: 0,
  failures,
  achievedPerSecond: ratePerSecond,
  generatorCpuPercent: 1,
  ...(p99Ms !== undefined && { p99Ms }),
});

describe("stepFigures", () => {
  it("takes latency from sent to answered, lag from scheduled to sent, and counts 4xx, 5xx and errors as failures", () => {
    const figures = stepFigures(
      "lb",
      4,
      run([
        shot(0, 1, 11),
        shot(250, 250, 270),
        shot(500, 530, 560, 503),
        shot(750, 760, 10_760, 0, "request timed out"),
        shot(1000, 1000, 1004, 404),
      ]),
    );
    expect(figures).toMatchObject({
      target: "lb",
      ratePerSecond: 4,
      sent: 5,
      failures: 3,
      failedAs: "503 × 1, request timed out × 1, 404 × 1",
      achievedPerSecond: 2,
      p50Ms: 10,
      p99Ms: 20,
      lagP99Ms: 30,
      generatorCpuPercent: 10,
    });
  });
});

describe("rateWhereP99Passes", () => {
  it("is the lowest rate whose p99 is over the threshold or that failed", () => {
    expect(rateWhereP99Passes([step(200, 150), step(50, 10), step(100, 90)], 100)).toBe(200);
    expect(rateWhereP99Passes([step(50, 10), step(100, 20, 1)], 100)).toBe(100);
    expect(rateWhereP99Passes([step(50, 10), step(100, 100)], 100)).toBeUndefined();
  });
});

describe("saturated and doublingRates", () => {
  it("stops a path that falls short of its rate, fails or is far past the cap", () => {
    expect(saturated(step(100, 50), 1000)).toBe(false);
    expect(saturated({ ...step(100, 50), achievedPerSecond: 60 }, 1000)).toBe(true);
    expect(saturated(step(100, 50, 6), 1000)).toBe(true);
    expect(saturated(step(100, 1500), 1000)).toBe(true);
  });

  it("doubles from the first rate up to the last", () => {
    expect(doublingRates(50, 800)).toEqual([50, 100, 200, 400, 800]);
    expect(doublingRates(10, 15)).toEqual([10]);
    expect(() => doublingRates(0, 10)).toThrow(/rates/);
  });
});

describe("p99Series", () => {
  it("gives one line per path of a request kind from the steps table", () => {
    const result = {
      figures: {},
      tables: [
        {
          title: "Per step (ms)",
          columns: ["path", "rate /s", "p99 ms"],
          rows: [
            ["version · load balancer", 50, 3],
            ["version · task direct", 50, 2],
            ["version · load balancer", 100, 120],
            ["jobs · load balancer", 10, 40],
            ["version · task direct", 100, "—"],
          ],
        },
      ],
    } as unknown as ScenarioResult;
    expect(p99Series(result, "version")).toEqual([
      {
        name: "load balancer",
        points: [
          [50, 3],
          [100, 120],
        ],
      },
      { name: "task direct", points: [[50, 2]] },
    ]);
    expect(p99Series({ ...result, tables: [] }, "version")).toEqual([]);
  });
});
