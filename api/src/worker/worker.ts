import { mkdtemp, rm } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "../log.js";
import { errorText } from "../log.js";
import type { Phase } from "../model/job.js";
import type { SegmentPolicy } from "../model/segments.js";
import type { JobFiles } from "../storage/files.js";
import type { SegmentQueue } from "../store/segments.js";
import type {
  JobLeases,
  JobQueries,
  Lease,
  ProgressUpdate,
  QualityFrameStore,
  WorkerInfo,
  WorkerRegistry,
  WorkerState,
} from "../store/store.js";
import { classify } from "./errors.js";
import type { Identity } from "./identity.js";
import { PhaseClock } from "./phase-clock.js";
import { type JobContext, runJob } from "./pipeline.js";
import { SegmentWork } from "./segment-work.js";
import { encodeSegmented } from "./segmented-job.js";

// The worker: a few slots, each claiming a job, running it under a heartbeated lease, and writing
// the outcome fenced by that lease. stop() is the SIGTERM path: no new claims, ffmpeg killed, leases
// handed back so another worker redoes the jobs at once.

/** How often an idle worker looks for pieces of ended jobs left behind. */
const SWEEP_MS = 60_000;

export interface WorkerOptions {
  store: JobLeases & QualityFrameStore & WorkerRegistry & SegmentQueue & Pick<JobQueries, "get">;
  files: JobFiles;
  identity: Identity;
  slots: number;
  cpus: number;
  /** ffmpeg threads per encode (identity.ts encodeThreadsOf); undefined: ffmpeg decides. */
  encodeThreads?: number;
  memoryMiB: number;
  leaseMs: number;
  heartbeatMs: number;
  pollMs: number;
  /** Long inputs are split at keyframes into segments that every free slot of every worker encodes. */
  segments: SegmentPolicy;
  /** Attempts of a piece before it fails its job. */
  segmentAttempts: number;
  tmpDir: string;
  log: Logger;
  /** Told of each job that ends in ERROR (the JobsFailed metric). */
  onJobFailed?: () => void;
  now?: () => number;
}

interface ActiveRun {
  lease: Lease;
  abort: AbortController;
  lost: boolean;
  progress: { phase: Phase; percent: number; loggedPhase: Phase | null; loggedPercent: number };
}

/** Log a JobProgress event when the phase changes or every 10 percent: the event log stays short. */
export function progressUpdate(p: ActiveRun["progress"]): ProgressUpdate {
  const logEvent = p.phase !== p.loggedPhase || Math.floor(p.percent / 10) > Math.floor(p.loggedPercent / 10);
  return { phase: p.phase, percentComplete: p.percent, logEvent };
}

export class Worker {
  private state: WorkerState = "Booting";
  private started = false;
  private stopping = false;
  private readonly runs = new Map<string, ActiveRun>();
  private loops: Promise<void>[] = [];
  private registryTimer: NodeJS.Timeout | undefined;
  /** One per idle slot: work arriving in this process wakes them all. */
  private readonly wakers = new Set<() => void>();
  private readonly startedAt: number;
  private readonly now: () => number;
  private readonly pieces: SegmentWork;

  constructor(private readonly options: WorkerOptions) {
    this.now = options.now ?? Date.now;
    this.startedAt = this.now();
    this.pieces = new SegmentWork({
      store: options.store,
      objects: options.files.userObjects,
      identity: options.identity,
      leaseMs: options.leaseMs,
      heartbeatMs: options.heartbeatMs,
      tmpDir: options.tmpDir,
      ...(options.encodeThreads !== undefined ? { encodeThreads: options.encodeThreads } : {}),
      log: options.log,
      now: this.now,
    });
  }

  get activeJobs(): string[] {
    return [...this.runs.keys()];
  }

  async start(): Promise<void> {
    await this.publish();
    this.started = true;
    this.registryTimer = setInterval(() => void this.publish(), 5000);
    this.registryTimer.unref();
    for (let slot = 0; slot < this.options.slots; slot++) this.loops.push(this.loop());
    this.options.log.info("worker started", { worker: this.options.identity, slots: this.options.slots });
  }

  /** A hint that work arrived (same process): skip the rest of the poll interval. */
  poke(): void {
    for (const wake of this.wakers) wake();
  }

  /** Stops a job this process runs (canceled through this process's API). */
  abortJob(jobId: string): void {
    const run = this.runs.get(jobId);
    if (run) {
      run.lost = true;
      run.abort.abort();
    }
    this.pieces.abortJob(jobId);
  }

  async stop(): Promise<void> {
    if (this.stopping) return Promise.all(this.loops).then(() => undefined);
    this.stopping = true;
    this.state = "Draining";
    this.poke();
    this.pieces.stop();
    for (const run of this.runs.values()) run.abort.abort();
    await this.publish();
    await Promise.all(this.loops);
    clearInterval(this.registryTimer);
    this.state = "Stopped";
    await this.publish();
    this.options.log.info("worker stopped", { worker: this.options.identity });
  }

  private async publish(): Promise<void> {
    const o = this.options;
    if (this.started && !this.stopping)
      this.state = this.runs.size + this.pieces.active > 0 ? "Busy" : "Idle";
    const info: WorkerInfo = {
      ...o.identity,
      state: this.state,
      currentJobs: this.activeJobs,
      cpus: o.cpus,
      memory: o.memoryMiB,
      slots: o.slots,
      startedAt: this.startedAt,
      heartbeatAt: this.now(),
    };
    await o.store
      .saveWorker(info)
      .catch((error) => o.log.warn("worker registry write failed", { error: errorText(error) }));
  }

  private async idle(): Promise<void> {
    let wake = () => {};
    const woken = new Promise<void>((resolve) => {
      wake = resolve;
    });
    this.wakers.add(wake);
    const timer = new AbortController();
    await Promise.race([
      sleep(this.options.pollMs, undefined, { signal: timer.signal }).catch(() => undefined),
      woken,
    ]);
    timer.abort();
    this.wakers.delete(wake);
  }

  private async loop(): Promise<void> {
    const o = this.options;
    while (!this.stopping) {
      // Pieces of running jobs first: they finish a job that is already under way.
      const piece = await this.pieces.runOne().catch((error) => {
        o.log.warn("segment claim failed", { error: errorText(error) });
        return false;
      });
      if (piece) continue;
      let lease: Lease | undefined;
      const clock = new PhaseClock();
      try {
        lease = await o.store.claim(o.identity, this.now(), o.leaseMs);
      } catch (error) {
        o.log.warn("claim failed", { error: errorText(error) });
      }
      if (this.stopping && lease) {
        await o.store.release(lease, this.now()).catch(() => undefined);
        break;
      }
      if (!lease) {
        await this.pieces
          .sweep(SWEEP_MS)
          .catch((error) => o.log.warn("segment sweep failed", { error: errorText(error) }));
        await this.idle();
        continue;
      }
      // A run that throws before its own handlers (temp folder, registry) must not end the slot;
      // its lease expires and another attempt follows.
      await this.run(lease, clock).catch((error) =>
        o.log.error("job run failed", { jobId: lease.job.id, error: errorText(error) }),
      );
    }
  }

  private async run(lease: Lease, clock: PhaseClock): Promise<void> {
    const o = this.options;
    const job = lease.job;
    clock.mark("claim");
    const log = o.log.child({ jobId: job.id, userId: job.userid });
    const dir = await mkdtemp(join(o.tmpDir, "job-"));
    const run: ActiveRun = {
      lease,
      abort: new AbortController(),
      lost: false,
      progress: { phase: "PROBING", percent: 0, loggedPhase: "PROBING", loggedPercent: 0 },
    };
    this.runs.set(job.id, run);
    // stop() may have come while this job was being claimed: hand it back straight away.
    if (this.stopping) run.abort.abort();
    void this.publish();
    log.info("job started", { attempt: job.attempts, worker: o.identity.id });
    const heartbeat = setInterval(() => void this.beat(run), o.heartbeatMs);
    const context: JobContext = {
      job,
      dir,
      files: o.files,
      signal: run.abort.signal,
      setProgress: (phase, percent) => {
        const changed = phase !== run.progress.phase;
        run.progress.phase = phase;
        run.progress.percent = percent;
        if (changed) void this.beat(run);
      },
      saveFrames: (frames) => o.store.saveFrames(job.id, frames),
      ...(o.encodeThreads !== undefined ? { threads: o.encodeThreads } : {}),
      segmentable: (info) => (info.durationSeconds ?? 0) >= o.segments.thresholdSeconds,
      encodeSegmented: (input, output, info) =>
        encodeSegmented(
          this.segmentedOptions(),
          { lease, dir, signal: run.abort.signal, setProgress: context.setProgress },
          input,
          output,
          info,
        ),
      mark: (phase) => clock.mark(phase),
    };
    clock.mark("setup");
    try {
      const result = await runJob(context);
      if (run.lost) return;
      const completed = await o.store.complete(lease, result, this.now());
      clock.mark("complete");
      if (completed) log.info("job complete", { result, phasesMs: clock.phasesMs() });
      else log.warn("job finished but its lease was lost; the result is not recorded");
    } catch (error) {
      await this.failed(run, error, log);
    } finally {
      clearInterval(heartbeat);
      this.runs.delete(job.id);
      await rm(dir, { recursive: true, force: true });
      void this.publish();
    }
  }

  private segmentedOptions() {
    const o = this.options;
    return {
      store: o.store,
      objects: o.files.userObjects,
      work: this.pieces,
      policy: o.segments,
      maxAttempts: o.segmentAttempts,
      pollMs: o.pollMs,
      heartbeatMs: o.heartbeatMs,
      log: o.log,
      now: this.now,
      wake: () => this.poke(),
    };
  }

  private async failed(run: ActiveRun, error: unknown, log: Logger): Promise<void> {
    const o = this.options;
    if (run.lost) {
      log.info("job stopped: canceled or taken over");
      return;
    }
    if (this.stopping) {
      const released = await o.store.release(run.lease, this.now()).catch(() => false);
      log.info("job handed back: worker stopping", { released });
      return;
    }
    const jobError = classify(error);
    if (jobError.code === "INTERNAL") log.error("job failed unexpectedly", { error: errorText(error) });
    const state = await o.store.fail(run.lease, jobError, this.now()).catch(() => undefined);
    const meta = { errorCode: jobError.code, errorMessage: jobError.message, state };
    // `event: JobFailed` is what the JobFailures metric filter counts (infra/aws/src/alarms.ts).
    if (state === "ERROR") {
      log.warn("job failed", { ...meta, event: "JobFailed" });
      o.onJobFailed?.();
    } else log.info("job attempt failed, will retry", meta);
  }

  private async beat(run: ActiveRun): Promise<void> {
    if (run.lost || this.stopping) return;
    const o = this.options;
    const update = progressUpdate(run.progress);
    try {
      const held = await o.store.heartbeat(run.lease, this.now(), o.leaseMs, update);
      if (!held) {
        run.lost = true;
        run.abort.abort();
        return;
      }
      if (update.logEvent) {
        run.progress.loggedPhase = update.phase;
        run.progress.loggedPercent = update.percentComplete;
      }
    } catch (error) {
      o.log.warn("heartbeat failed", { jobId: run.lease.job.id, error: errorText(error) });
    }
  }
}
