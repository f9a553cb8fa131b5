import type { PlannedJob } from "./plan.js";
import { jobRow, type RecordedJob } from "./timeline.js";

// Measured service times from a run, by clip and preset: what the simulation's jobs cost. Pure.

export interface Calibration {
  /** Mean seconds from assigned to completed, by `clip|speed`. */
  byKind: Map<string, number>;
  overall: number;
  samples: number;
}

const kindOf = (job: Pick<PlannedJob, "clip" | "speed">) => `${job.clip}|${job.speed}`;

export function calibrate(jobs: readonly RecordedJob[]): Calibration {
  const times = new Map<string, number[]>();
  for (const job of jobs) {
    const row = jobRow(job);
    // A requeued job's processing time includes the dead worker's share: not what the job costs.
    if (row?.status !== "COMPLETE" || row.attempts > 1 || row.completed === null) continue;
    const start = [...job.events].reverse().find((e) => e.action === "JobStart")!.ts;
    const list = times.get(kindOf(job.planned)) ?? [];
    list.push((row.completed - start) / 1000);
    times.set(kindOf(job.planned), list);
  }
  const all = [...times.values()].flat();
  if (all.length === 0) throw new Error("the run has no completed job to calibrate the simulation with");
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  return {
    byKind: new Map([...times].map(([k, v]) => [k, mean(v)])),
    overall: mean(all),
    samples: all.length,
  };
}

/** The measured mean of the job's kind; for a kind the run never had, the mean of its clip, else of all. */
export function serviceTime(calibration: Calibration, job: Pick<PlannedJob, "clip" | "speed">): number {
  const exact = calibration.byKind.get(kindOf(job));
  if (exact !== undefined) return exact;
  const sameClip = [...calibration.byKind].filter(([k]) => k.startsWith(`${job.clip}|`)).map(([, v]) => v);
  return sameClip.length > 0 ? sameClip.reduce((a, b) => a + b, 0) / sameClip.length : calibration.overall;
}
