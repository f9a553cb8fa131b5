import type { JobTiming, WorkerInfo } from "../store/store.js";

// Numbers for /stats and /metrics, computed from what the store returns. Pure.

export interface Summary {
  count: number;
  mean: number | null;
  p50: number | null;
  p95: number | null;
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: number[], p: number): number {
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1]!;
}

export function summarize(values: number[]): Summary {
  if (values.length === 0) return { count: 0, mean: null, p50: null, p95: null };
  const sorted = [...values].sort((a, b) => a - b);
  const mean = sorted.reduce((sum, v) => sum + v, 0) / sorted.length;
  return { count: sorted.length, mean, p50: percentile(sorted, 50), p95: percentile(sorted, 95) };
}

/** Seconds from submission to first start, and from start to finish (finished jobs only). */
export function timingStats(timings: JobTiming[]): {
  queueDelaySeconds: Summary;
  processingSeconds: Summary;
} {
  const delays = timings.filter((t) => t.startedAt !== null).map((t) => (t.startedAt! - t.createdAt) / 1000);
  const processing = timings
    .filter((t) => t.startedAt !== null && t.finishedAt !== null)
    .map((t) => (t.finishedAt! - t.startedAt!) / 1000);
  return { queueDelaySeconds: summarize(delays), processingSeconds: summarize(processing) };
}

/** A worker that has not written its heartbeat for this long is gone (killed, host lost). */
export const WORKER_STALE_MS = 30_000;

export function liveWorkers(workers: WorkerInfo[], now: number): WorkerInfo[] {
  return workers.filter((w) => w.state !== "Stopped" && now - w.heartbeatAt < WORKER_STALE_MS);
}

/** Workers as /workers shows them: a stale one is reported Stopped. */
export function workerView(workers: WorkerInfo[], now: number): WorkerInfo[] {
  const live = new Set(liveWorkers(workers, now));
  return workers.map((w) => (live.has(w) || w.state === "Stopped" ? w : { ...w, state: "Stopped" as const }));
}

export function utilization(workers: WorkerInfo[], now: number) {
  const live = liveWorkers(workers, now);
  const slots = live.reduce((sum, w) => sum + w.slots, 0);
  const busy = live.reduce((sum, w) => sum + Math.min(w.slots, w.currentJobs.length), 0);
  return {
    workers: live.length,
    tasks: new Set(live.map((w) => w.taskId)).size,
    slots,
    busySlots: busy,
    utilization: slots ? busy / slots : 0,
  };
}
