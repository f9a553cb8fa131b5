import type { JobSpec } from "./job.js";

// Which waiting job a free worker takes. Priority first, always: a user who sets it means it. Among
// equals, "fifo" takes the oldest; "sjf" (shortest expected job first) takes the one expected to be
// done soonest, which cuts the mean wait when short and long jobs share the queue (api/bench/policies.ts:
// mean queue delay 5.3 s against FIFO's 9.1 s on the reference load), and a job that has waited
// past MAX_WAIT_MS goes first whatever its size, so long jobs are never starved.
// store/leases.ts says the same in SQL; test/scheduling.test.ts holds the two to one order.

export const SCHEDULINGS = ["fifo", "sjf"] as const;
export type Scheduling = (typeof SCHEDULINGS)[number];

/** Past this wait a job is taken before shorter ones. */
export const MAX_WAIT_MS = 5 * 60_000;

/** How many recent runs of the same kind of job its expected time is the mean of. */
export const EXPECTED_FROM_LAST = 20;

export interface Queued {
  id: string;
  priority: number;
  createdAt: number;
  /** Null: nothing like it has run yet (taken as short: it is the way to learn its time). */
  expectedMs: number | null;
}

/** Negative when `a` is taken before `b`. */
export function claimOrder(scheduling: Scheduling, now: number): (a: Queued, b: Queued) => number {
  return (a, b) =>
    b.priority - a.priority ||
    (scheduling === "sjf"
      ? Number(waitedTooLong(b, now)) - Number(waitedTooLong(a, now)) ||
        (a.expectedMs ?? 0) - (b.expectedMs ?? 0)
      : 0) ||
    a.createdAt - b.createdAt ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

const waitedTooLong = (job: Queued, now: number) => job.createdAt <= now - MAX_WAIT_MS;

/**
 * Jobs of one kind take about as long as each other: the same input with the same codec, size,
 * preset and bitrate (a catalogue's popular clips are asked for again and again). A quality job's
 * time follows its two inputs.
 */
export function costKey(spec: JobSpec): string {
  if (spec.kind === "quality") return JSON.stringify(["quality", spec.input, spec.reference]);
  const { codec, scale, speed, bitrate } = spec.profile.ffmpeg;
  return JSON.stringify(["transcode", spec.input, codec, scale, speed, bitrate]);
}
