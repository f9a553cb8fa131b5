import { describe, expect, it } from "vitest";
import { toCsv } from "../scenario/csv.js";
import { DEFAULT_OPTIONS, planScenario } from "../scenario/plan.js";
import {
  type FleetSample,
  jobRow,
  type RecordedJob,
  summarizeRun,
  taskSeconds,
  workerRows,
} from "../scenario/timeline.js";
import type { JobEvent, PublicJob } from "../src/model/job.js";

describe("the scenario's plan", () => {
  it("is the same for the same seed and differs for another", () => {
    const a = planScenario({ ...DEFAULT_OPTIONS, jobs: 30, seed: 7 });
    expect(planScenario({ ...DEFAULT_OPTIONS, jobs: 30, seed: 7 })).toEqual(a);
    expect(planScenario({ ...DEFAULT_OPTIONS, jobs: 30, seed: 8 })).not.toEqual(a);
  });

  it("spaces submissions by the Gaussian it was given", () => {
    const plan = planScenario({ ...DEFAULT_OPTIONS, jobs: 2001, meanGapSeconds: 6, gapDeviationSeconds: 2 });
    const gaps = plan.slice(1).map((j, i) => j.atSeconds - plan[i]!.atSeconds);
    const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
    const sd = Math.sqrt(gaps.reduce((a, g) => a + (g - mean) ** 2, 0) / gaps.length);
    expect(mean).toBeGreaterThan(5.8);
    expect(mean).toBeLessThan(6.2);
    expect(sd).toBeGreaterThan(1.8);
    expect(sd).toBeLessThan(2.2);
    expect(plan[0]!.atSeconds).toBe(0);
  });

  it("never submits two jobs out of order, even when a draw is negative", () => {
    const plan = planScenario({ ...DEFAULT_OPTIONS, jobs: 500, meanGapSeconds: 0.1, gapDeviationSeconds: 1 });
    for (let i = 1; i < plan.length; i++) expect(plan[i]!.atSeconds).toBeGreaterThan(plan[i - 1]!.atSeconds);
  });

  it("draws bitrates uniformly within the range and skews the catalogue towards its first clips", () => {
    const plan = planScenario({ ...DEFAULT_OPTIONS, jobs: 3000, bitrates: [2, 5], popularitySkew: 1 });
    expect(new Set(plan.map((j) => j.bitrate))).toEqual(new Set([2, 3, 4, 5]));
    const count = (clip: string) => plan.filter((j) => j.clip === clip).length;
    expect(count("short-360p.mp4")).toBeGreaterThan(2 * count("medium-360p.mp4") * 0.8);
    expect(count("medium-360p.mp4")).toBeGreaterThan(count("long-720p.mp4"));
    const uniform = planScenario({ ...DEFAULT_OPTIONS, jobs: 3000, popularitySkew: 0 });
    const shares = ["short-360p.mp4", "long-720p.mp4"].map(
      (c) => uniform.filter((j) => j.clip === c).length / 3000,
    );
    for (const share of shares) expect(Math.abs(share - 0.2)).toBeLessThan(0.03);
  });

  it("says what is wrong with bad options, all at once", () => {
    expect(() => planScenario({ ...DEFAULT_OPTIONS, jobs: 0, meanGapSeconds: -1 })).toThrow(
      /-n must be a whole number from 1 to 10000, got 0; the mean gap must be positive, got -1/,
    );
    expect(() => planScenario({ ...DEFAULT_OPTIONS, bitrates: [4, 2] })).toThrow(/bitrates must be a range/);
  });
});

const job = (over: Partial<PublicJob>): PublicJob => ({
  jobid: "j1",
  userid: "u",
  kind: "transcode",
  status: "SUBMITTED",
  phase: null,
  percentComplete: 0,
  priority: 0,
  input: "objects://in/a.mp4",
  output: "objects://out/",
  attempts: 0,
  createdAt: "2026-12-03T00:00:00.000Z",
  ...over,
});
const worker = (id: string) => ({ id, taskId: `task-${id}`, host: "h" });
let seq = 0;
const event = (
  ts: number,
  action: JobEvent["action"],
  over: Partial<PublicJob> = {},
  w: string | null = null,
): JobEvent => ({
  seq: ++seq,
  ts,
  userID: "u",
  jobID: "j1",
  action,
  job: job(over),
  worker: w ? worker(w) : null,
});
const planned = {
  index: 0,
  atSeconds: 0,
  clip: "short-360p.mp4",
  bitrate: 2,
  speed: "ultrafast" as const,
  scale: "240p" as const,
};

describe("the report's rows", () => {
  // Submitted at 1 s; w1 takes it at 3 s and dies; w2 takes it again at 10 s, transcodes 11-15, uploads 15-16.
  const requeued: RecordedJob = {
    planned,
    jobid: "j1",
    events: [
      event(1000, "JobSummit"),
      event(3000, "JobStart", { status: "PROGRESSING", attempts: 1 }, "w1"),
      event(3500, "JobProgress", { status: "PROGRESSING", phase: "TRANSCODING" }, "w1"),
      event(9000, "JobRequeued", { status: "SUBMITTED" }),
      event(10_000, "JobStart", { status: "PROGRESSING", attempts: 2 }, "w2"),
      event(11_000, "JobProgress", { status: "PROGRESSING", phase: "TRANSCODING" }, "w2"),
      event(15_000, "JobProgress", { status: "PROGRESSING", phase: "UPLOADING" }, "w2"),
      event(16_000, "JobFinished", { status: "COMPLETE", attempts: 2 }, "w2"),
    ],
  };

  it("times a job from its event log: queue to the first start, phases from the attempt that finished", () => {
    expect(jobRow(requeued)).toMatchObject({
      status: "COMPLETE",
      attempts: 2,
      worker: "w2",
      queueSeconds: 2,
      prepareSeconds: 1,
      transcodeSeconds: 4,
      uploadSeconds: 1,
      processingSeconds: 13,
      totalSeconds: 15,
    });
  });

  it("has no row for a job that was never accepted, and leaves unknown times empty", () => {
    expect(jobRow({ planned, jobid: null, submitError: "HTTP 400", events: [] })).toBeUndefined();
    const waiting = jobRow({ planned, jobid: "j2", events: [event(1000, "JobSummit")] });
    expect(waiting).toMatchObject({ status: "SUBMITTED", queueSeconds: null, processingSeconds: null });
  });

  it("counts a worker's busy time on the jobs it finished", () => {
    expect(workerRows([requeued])).toEqual([
      { worker: "w2", jobs: 1, busySeconds: 6, firstAssigned: 10_000, lastCompleted: 16_000 },
    ]);
  });

  it("finds a job completed twice", () => {
    const twice = {
      ...requeued,
      events: [...requeued.events, event(17_000, "JobFinished", { status: "COMPLETE" }, "w1")],
    };
    expect(summarizeRun([twice, requeued], []).completedTwice).toBe(1);
  });

  it("integrates running tasks over uneven samples", () => {
    const at = (t: number, running: number): FleetSample => ({
      t,
      running,
      desired: running,
      busyWorkers: 0,
      liveWorkers: running,
      queueDepth: 0,
      cpuPercent: null,
      memoryPercent: null,
    });
    expect(taskSeconds([at(0, 1), at(10_000, 1), at(15_000, 3)])).toBe(10 + 10);
  });

  it("writes CSV with ISO times and quotes what needs quoting", () => {
    const csv = toCsv([{ a: 1.23456, b: 'say "hi", then go', t: 0 }], ["a", "b", "t"], ["t"]);
    expect(csv).toBe('a,b,t\n1.235,"say ""hi"", then go",1970-01-01T00:00:00.000Z\n');
  });
});
