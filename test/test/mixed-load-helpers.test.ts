import { describe, expect, it } from "vitest";
import { type DeployRecord, deployFigures, deployMarkers, deploySucceeded } from "../src/deploy-summary.js";
import { checkEventLog, socketFigures } from "../src/event-log-check.js";
import { frameFigures } from "../src/frame-gaps.js";
import { jobOutcomes } from "../src/job-outcomes.js";
import { dueCount } from "../src/open-loop-load.js";

// No region: the mixed-load scenario's pure readings (test/reliability/mixed-load.ts).

describe("checkEventLog", () => {
  const full = [1, 2, 3, 4, 5, 6, 7, 8];

  it("passes a client that got every event after its start, once, in order", () => {
    expect(checkEventLog([3, 4, 5, 6], full, 2)).toEqual({
      expected: 4,
      received: 4,
      missed: [],
      repeated: [],
      unknown: [],
      outOfOrder: 0,
    });
  });

  it("finds the events a resume from too late a lastMod skipped", () => {
    // Resumed after 4 from lastMod=5: event 5 never came.
    expect(checkEventLog([3, 4, 6, 7], full, 2).missed).toEqual([5]);
  });

  it("finds the events a resume from too early a lastMod replayed", () => {
    const check = checkEventLog([3, 4, 5, 4, 5, 6], full, 2);
    expect(check.repeated).toEqual([4, 5]);
    expect(check.outOfOrder).toBe(1);
    expect(check.missed).toEqual([]);
  });

  it("expects nothing beyond the last event the client saw, and nothing at or before its start", () => {
    expect(checkEventLog([], full, 8)).toMatchObject({ expected: 0, missed: [] });
    expect(checkEventLog([2, 3], full, 1)).toMatchObject({ expected: 2, missed: [] });
  });

  it("names a seq the full log lacks (an event the log lost after it was sent)", () => {
    expect(checkEventLog([3, 9], full, 2).unknown).toEqual([9]);
  });
});

describe("socketFigures", () => {
  const clean = { expected: 0, received: 0, missed: [], repeated: [], unknown: [], outOfOrder: 0 };

  it("counts closes by the service per code, resumes, and closes no connection followed", () => {
    const figures = socketFigures([
      {
        connections: [
          { openedAt: 1, helloLastMod: 0, closedAt: 2, closeCode: 1001 },
          { openedAt: 3, lastMod: 5, helloLastMod: 5, closedAt: 9, closeCode: 1006 },
          { openedAt: 10, lastMod: 7, helloLastMod: 7, closedAt: 20, closeCode: 1000, byClient: true },
        ],
        check: clean,
      },
      {
        connections: [{ openedAt: 1, helloLastMod: 0, closedAt: 4, closeCode: 1006 }],
        check: { ...clean, missed: [3, 4], repeated: [6] },
      },
    ]);
    expect(figures).toEqual({
      clients: 2,
      closesByCode: { "1001": 1, "1006": 2 },
      resumes: 2,
      notResumed: 1,
      missed: 2,
      repeated: 1,
      unknown: 0,
      outOfOrder: 0,
    });
  });
});

describe("frameFigures", () => {
  it("adds frames across a reconnect (the counter starts again) and finds the longest gap", () => {
    const figures = frameFigures([
      { at: 0, framesDecoded: 0, reconnects: 0 },
      { at: 1000, framesDecoded: 20, reconnects: 0 },
      { at: 2000, framesDecoded: 40, reconnects: 0 },
      { at: 3000, framesDecoded: 40, reconnects: 0 },
      { at: 5000, framesDecoded: 0, reconnects: 1 },
      { at: 7000, framesDecoded: 10, reconnects: 1 },
      { at: 8000, framesDecoded: 30, reconnects: 1 },
    ]);
    expect(figures).toEqual({
      frames: 70,
      longestGapMs: 5000,
      longestGapFrom: 2000,
      reconnects: 1,
      firstFrameAfterMs: 1000,
    });
  });

  it("counts a stall at the end as a gap up to the last reading", () => {
    const figures = frameFigures([
      { at: 0, framesDecoded: 5, reconnects: 0 },
      { at: 1000, framesDecoded: 10, reconnects: 0 },
      { at: 40_000, framesDecoded: 10, reconnects: 0 },
    ]);
    expect(figures.longestGapMs).toBe(39_000);
  });

  it("has no frames and no gap when nothing was ever decoded", () => {
    expect(frameFigures([{ at: 0, framesDecoded: 0, reconnects: 0 }])).toEqual({
      frames: 0,
      longestGapMs: 0,
      reconnects: 0,
    });
  });
});

describe("jobOutcomes", () => {
  it("tells completed once from twice, not at all and failed; counts redone jobs", () => {
    const e = (seq: number, jobID: string, action: string) => ({ seq, jobID, action });
    const outcomes = jobOutcomes(
      ["a", "b", "c", "d"],
      [
        e(1, "a", "JobSummit"),
        e(2, "a", "JobStart"),
        e(3, "a", "JobRequeued"),
        e(4, "a", "JobStart"),
        e(5, "a", "JobFinished"),
        e(6, "b", "JobFinished"),
        e(7, "b", "JobFinished"),
        e(8, "c", "JobSummit"),
        e(9, "d", "JobFailed"),
        e(10, "z", "JobFinished"),
      ],
    );
    expect(outcomes).toEqual({
      submitted: 4,
      completed: 1,
      duplicated: ["b"],
      notCompleted: ["c", "d"],
      failed: ["d"],
      requeued: 1,
    });
  });
});

describe("dueCount", () => {
  it("is what the rate asks for by now, less what was sent, never negative", () => {
    expect(dueCount(0, 100, 0)).toBe(0);
    expect(dueCount(1000, 100, 0)).toBe(100);
    expect(dueCount(1005, 100, 100)).toBe(0);
    expect(dueCount(1010, 100, 100)).toBe(1);
    expect(dueCount(500, 100, 80)).toBe(0);
  });
});

describe("deploy summary", () => {
  const deploy = (
    service: string,
    round: number,
    startedAt: number,
    outcome = "SUCCESSFUL",
  ): DeployRecord => ({
    service,
    strategy: "ROLLING",
    round,
    startedAt,
    endedAt: startedAt + 60_000,
    exitCode: 0,
    outcome,
  });

  it("a row per deploy in start order: duration, when, exit and outcome", () => {
    expect(deployFigures([deploy("api-qa", 2, 90_000), deploy("api-qa", 1, 10_000)], 0)).toEqual({
      "deploy api-qa #1 (ROLLING)": "60.0 s (at 10.0–70.0 s), exit 0, SUCCESSFUL",
      "deploy api-qa #2 (ROLLING)": "60.0 s (at 90.0–150.0 s), exit 0, SUCCESSFUL",
    });
  });

  it("marks each deploy's start and end, in time order", () => {
    expect(deployMarkers([deploy("b", 1, 20_000), deploy("a", 1, 10_000)], 0).map((m) => m.label)).toEqual([
      "a #1 start",
      "b #1 start",
      "a #1 end",
      "b #1 end",
    ]);
  });

  it("succeeds only when the CLI exited 0 and ECS says SUCCESSFUL", () => {
    expect(deploySucceeded(deploy("a", 1, 0))).toBe(true);
    expect(deploySucceeded(deploy("a", 1, 0, "ROLLBACK_SUCCESSFUL"))).toBe(false);
    expect(deploySucceeded({ ...deploy("a", 1, 0), exitCode: 2 })).toBe(false);
  });
});
