import { describe, expect, it } from "vitest";
import { calibrate, serviceTime } from "../scenario/calibrate.js";
import type { PlannedJob } from "../scenario/plan.js";
import { awsTargetTracking, type FleetPolicy, type SimulationInput, simulate } from "../scenario/simulate.js";

const job = (
  index: number,
  atSeconds: number,
  speed: PlannedJob["speed"],
  clip = "short-360p.mp4",
): PlannedJob => ({
  index,
  atSeconds,
  clip,
  bitrate: 2,
  speed,
  scale: "360p",
});
const cost = (j: PlannedJob) => (j.speed === "medium" ? 30 : 5);
const base = (
  jobs: PlannedJob[],
  fleet: FleetPolicy,
  scheduling: SimulationInput["scheduling"] = "fifo",
): SimulationInput => ({
  jobs,
  serviceSeconds: cost,
  expectedSeconds: cost,
  prioritySpeed: "ultrafast",
  scheduling,
  fleet,
  slotsPerTask: 1,
});

describe("the policy simulation", () => {
  it("queues behind one task: the second job waits for the first", () => {
    const r = simulate(base([job(0, 0, "medium"), job(1, 0, "ultrafast")], { kind: "fixed", tasks: 1 }));
    expect(r.jobs.map((j) => j.queueSeconds)).toEqual([0, 30]);
    expect(r.taskSeconds).toBeGreaterThanOrEqual(35);
  });

  it("serves the short job first under shortest-expected-job-first, and the fast preset first under priority", () => {
    const jobs = [job(0, 0, "ultrafast"), job(1, 1, "medium"), job(2, 1, "ultrafast")];
    // The first job holds the task until 5 s; then FIFO takes job 1 (30 s), SJF and priority take job 2.
    expect(simulate(base(jobs, { kind: "fixed", tasks: 1 }, "fifo")).jobs[2]!.queueSeconds).toBe(34);
    expect(simulate(base(jobs, { kind: "fixed", tasks: 1 }, "sjf")).jobs[2]!.queueSeconds).toBe(4);
    expect(simulate(base(jobs, { kind: "fixed", tasks: 1 }, "priority")).jobs[2]!.queueSeconds).toBe(4);
  });

  // AWS's shape, on a faster clock so a test load exercises both directions.
  const tracking: FleetPolicy = {
    ...awsTargetTracking(2, 1, 4, 5),
    periodSeconds: 10,
    highDatapoints: 2,
    lowDatapoints: 3,
    scaleInCooldownSeconds: 30,
    scaleOutCooldownSeconds: 10,
  } as FleetPolicy;

  it("scales out under a backlog, back in when idle, and completes every job exactly once", () => {
    const burst = Array.from({ length: 40 }, (_, i) => job(i, i * 0.5, "medium"));
    const r = simulate(base(burst, tracking));
    expect(r.maxTasks).toBe(4);
    expect(r.jobs.map((j) => j.index)).toEqual(burst.map((j) => j.index));
    const fixedSmall = simulate(base(burst, { kind: "fixed", tasks: 1 }));
    const fixedLarge = simulate(base(burst, { kind: "fixed", tasks: 4 }));
    expect(r.queueSeconds.mean!).toBeLessThan(fixedSmall.queueSeconds.mean!);
    // Then an idle tail: the fleet comes back to its minimum and stops paying for four.
    const withTail = simulate(base([...burst, job(40, 2000, "ultrafast")], tracking));
    const largeWithTail = simulate(base([...burst, job(40, 2000, "ultrafast")], { kind: "fixed", tasks: 4 }));
    expect(withTail.taskSeconds).toBeLessThan(largeWithTail.taskSeconds * 0.5);
    expect(fixedLarge.utilization.mean!).toBeGreaterThan(0);
  });

  it("measures utilization as busy slots over provisioned ones", () => {
    const r = simulate(base([job(0, 0, "medium")], { kind: "fixed", tasks: 2 }));
    // One of two slots busy for the job's 30 s.
    expect(r.utilization.mean).toBeCloseTo(50, 0);
  });
});

describe("calibration from a measured run", () => {
  const recorded = (
    index: number,
    clip: string,
    speed: PlannedJob["speed"],
    start: number,
    end: number,
    attempts = 1,
  ) => ({
    planned: job(index, 0, speed, clip),
    jobid: `j${index}`,
    events: [
      { seq: 1, ts: 0, action: "JobSummit", job: { status: "SUBMITTED", attempts: 0 } },
      {
        seq: 2,
        ts: start,
        action: "JobStart",
        job: { status: "PROGRESSING", attempts },
        worker: { id: "w" },
      },
      { seq: 3, ts: end, action: "JobFinished", job: { status: "COMPLETE", attempts } },
    ] as never,
  });

  it("takes each kind's mean, leaves out requeued jobs, and falls back to the clip's then the overall mean", () => {
    const c = calibrate([
      recorded(0, "a.mp4", "ultrafast", 1000, 3000),
      recorded(1, "a.mp4", "ultrafast", 1000, 5000),
      recorded(2, "a.mp4", "medium", 0, 10_000),
      recorded(3, "b.mp4", "medium", 0, 60_000, 2),
      recorded(4, "c.mp4", "medium", 0, 20_000),
    ]);
    expect(serviceTime(c, { clip: "a.mp4", speed: "ultrafast" })).toBe(3);
    expect(serviceTime(c, { clip: "a.mp4", speed: "veryfast" })).toBe(6.5);
    expect(serviceTime(c, { clip: "b.mp4", speed: "medium" })).toBeCloseTo((2 + 4 + 10 + 20) / 4, 5);
    expect(c.samples).toBe(4);
  });

  it("refuses a run with nothing completed", () => {
    expect(() => calibrate([])).toThrow(/no completed job/);
  });
});
