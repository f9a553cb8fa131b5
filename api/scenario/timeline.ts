import type { JobEvent } from "../src/model/job.js";
import { type Summary, summarize } from "../src/model/stats.js";
import type { PlannedJob } from "./plan.js";

// From what a run recorded (each job's event log, and the samples taken while it ran) to the rows of
// the report: per job, per worker, and over time. Pure, so the report's numbers can be checked
// against the event log they came from.

export interface RecordedJob {
  planned: PlannedJob;
  jobid: string | null;
  /** Why the job could not be submitted, when it could not. */
  submitError?: string;
  events: JobEvent[];
}

/** One sample of the fleet, taken every few seconds during the run. */
export interface FleetSample {
  /** ms since epoch */
  t: number;
  desired: number | null;
  running: number | null;
  busyWorkers: number;
  liveWorkers: number;
  queueDepth: number | null;
  /** AWS/ECS CPUUtilization / MemoryUtilization of the service (% of what the tasks reserve). */
  cpuPercent: number | null;
  memoryPercent: number | null;
}

export interface JobRow {
  index: number;
  jobid: string;
  clip: string;
  speed: string;
  bitrate: number;
  status: string;
  attempts: number;
  worker: string;
  received: number;
  assigned: number | null;
  transcodeStarted: number | null;
  uploadStarted: number | null;
  completed: number | null;
  /** Seconds: received → first assigned. */
  queueSeconds: number | null;
  /** Seconds: last assigned → transcode (download and probe). */
  prepareSeconds: number | null;
  transcodeSeconds: number | null;
  uploadSeconds: number | null;
  /** Seconds: first assigned → completed, requeues included. */
  processingSeconds: number | null;
  totalSeconds: number | null;
}

const seconds = (from: number | null, to: number | null) =>
  from === null || to === null ? null : (to - from) / 1000;

export function jobRow(job: RecordedJob): JobRow | undefined {
  if (!job.jobid) return undefined;
  const events = [...job.events].sort((a, b) => a.seq - b.seq);
  const first = (action: string, after = 0) =>
    events.find((e) => e.action === action && e.ts >= after)?.ts ?? null;
  const starts = events.filter((e) => e.action === "JobStart");
  const received = first("JobSummit") ?? events[0]?.ts ?? 0;
  const assigned = starts[0]?.ts ?? null;
  const lastStart = starts.at(-1);
  const phase = (name: string) =>
    events.find((e) => e.action === "JobProgress" && e.job.phase === name && e.ts >= (lastStart?.ts ?? 0))
      ?.ts ?? null;
  const transcodeStarted = phase("TRANSCODING");
  const uploadStarted = phase("UPLOADING");
  const completed = first("JobFinished");
  const last = events.at(-1);
  return {
    index: job.planned.index,
    jobid: job.jobid,
    clip: job.planned.clip,
    speed: job.planned.speed,
    bitrate: job.planned.bitrate,
    status: last?.job.status ?? "UNKNOWN",
    attempts: last?.job.attempts ?? 0,
    worker: lastStart?.worker?.id ?? "",
    received,
    assigned,
    transcodeStarted,
    uploadStarted,
    completed,
    queueSeconds: seconds(received, assigned),
    prepareSeconds: seconds(lastStart?.ts ?? null, transcodeStarted),
    transcodeSeconds: seconds(transcodeStarted, uploadStarted),
    uploadSeconds: seconds(uploadStarted, completed),
    processingSeconds: seconds(assigned, completed),
    totalSeconds: seconds(received, completed),
  };
}

export interface WorkerRow {
  worker: string;
  jobs: number;
  /** Seconds spent on the jobs it completed (last assignment → completion). */
  busySeconds: number;
  firstAssigned: number;
  lastCompleted: number;
}

export function workerRows(jobs: readonly RecordedJob[]): WorkerRow[] {
  const byWorker = new Map<string, WorkerRow>();
  for (const job of jobs) {
    const finished = job.events.find((e) => e.action === "JobFinished");
    const start = job.events.filter((e) => e.action === "JobStart").at(-1);
    if (!finished || !start?.worker) continue;
    const row = byWorker.get(start.worker.id) ?? {
      worker: start.worker.id,
      jobs: 0,
      busySeconds: 0,
      firstAssigned: start.ts,
      lastCompleted: finished.ts,
    };
    row.jobs++;
    row.busySeconds += (finished.ts - start.ts) / 1000;
    row.firstAssigned = Math.min(row.firstAssigned, start.ts);
    row.lastCompleted = Math.max(row.lastCompleted, finished.ts);
    byWorker.set(row.worker, row);
  }
  return [...byWorker.values()].sort((a, b) => a.worker.localeCompare(b.worker));
}

export interface RunSummary {
  submitted: number;
  completed: number;
  failed: number;
  /** Jobs with more than one JobFinished event: must be 0. */
  completedTwice: number;
  queueSeconds: Summary;
  processingSeconds: Summary;
  cpuPercent: Summary;
  memoryPercent: Summary;
  /** Running tasks integrated over the run's samples: what the fleet cost. */
  taskSeconds: number;
  jobsPerMinute: number | null;
}

export function summarizeRun(jobs: readonly RecordedJob[], samples: readonly FleetSample[]): RunSummary {
  const rows = jobs.map(jobRow).filter((r): r is JobRow => r !== undefined);
  const done = rows.filter((r) => r.completed !== null);
  const numbers = (values: (number | null)[]) => values.filter((v): v is number => v !== null);
  const span =
    done.length > 0
      ? (Math.max(...done.map((r) => r.completed!)) - Math.min(...rows.map((r) => r.received))) / 60_000
      : 0;
  return {
    submitted: rows.length,
    completed: done.length,
    failed: rows.filter((r) => r.status === "ERROR").length,
    completedTwice: jobs.filter((j) => j.events.filter((e) => e.action === "JobFinished").length > 1).length,
    queueSeconds: summarize(numbers(rows.map((r) => r.queueSeconds))),
    processingSeconds: summarize(numbers(done.map((r) => r.processingSeconds))),
    cpuPercent: summarize(numbers(samples.map((s) => s.cpuPercent))),
    memoryPercent: summarize(numbers(samples.map((s) => s.memoryPercent))),
    taskSeconds: taskSeconds(samples),
    jobsPerMinute: span > 0 ? done.length / span : null,
  };
}

/** Trapezoids over the running count: samples need not be evenly spaced. */
export function taskSeconds(samples: readonly FleetSample[]): number {
  let total = 0;
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1]!;
    const b = samples[i]!;
    total += (((a.running ?? 0) + (b.running ?? 0)) / 2) * ((b.t - a.t) / 1000);
  }
  return total;
}
