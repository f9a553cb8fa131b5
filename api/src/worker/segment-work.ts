import { mkdtemp, rm } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "../log.js";
import { errorText } from "../log.js";
import { lastErrorLine } from "../media/ffmpeg.js";
import { encodeSegment } from "../media/segments.js";
import type { WorkerRef } from "../model/job.js";
import { percentOf } from "../model/progress.js";
import { encodedKey, segmentInputKey, segmentPrefix, segmentRange } from "../model/segments.js";
import type { ObjectStore } from "../storage/objects.js";
import type { SegmentLease, SegmentQueue } from "../store/segments.js";
import { type HeldInput, SegmentInputs } from "./segment-inputs.js";

// A worker slot's other kind of work: one piece of a segmented job, under its own heartbeated
// lease. The job's input comes from and the encoded piece goes to the service's object store, so
// any process can take it.

export interface SegmentWorkOptions {
  store: SegmentQueue;
  objects: ObjectStore;
  identity: WorkerRef;
  leaseMs: number;
  heartbeatMs: number;
  tmpDir: string;
  /** ffmpeg threads per encode (worker/identity.ts encodeThreadsOf). */
  encodeThreads?: number;
  log: Logger;
  now: () => number;
}

interface PieceRun {
  lease: SegmentLease;
  abort: AbortController;
  lost: boolean;
  percent: number;
}

export class SegmentWork {
  private readonly runs = new Map<string, PieceRun>();
  private stopping = false;
  private lastSweep = 0;
  private readonly inputs: SegmentInputs;

  constructor(private readonly options: SegmentWorkOptions) {
    this.inputs = new SegmentInputs(options.tmpDir, async (jobId, destination) => {
      await options.objects.download(segmentInputKey(jobId), destination);
    });
  }

  get active(): number {
    return this.runs.size;
  }

  /**
   * Claims and encodes one piece (of `jobId` when given); false when none was free. `localInput`
   * is the job's input where its holder already has it, so the holder's own pieces need no fetch.
   */
  async runOne(jobId?: string, localInput?: string): Promise<boolean> {
    const o = this.options;
    if (this.stopping) return false;
    const lease = await o.store.claimSegment(o.identity, o.now(), o.leaseMs, jobId);
    if (!lease) {
      await this.inputs.dropIdle();
      return false;
    }
    if (this.stopping) {
      await o.store.releaseSegment(lease, o.now()).catch(() => false);
      return true;
    }
    await this.run(lease, localInput);
    return true;
  }

  /**
   * Removes the pieces of jobs that ended without their holder cleaning up (it died, then the job
   * was canceled or ran out of attempts). At most once per `everyMs`; any worker may do it.
   */
  async sweep(everyMs: number): Promise<void> {
    const o = this.options;
    if (o.now() - this.lastSweep < everyMs) return;
    this.lastSweep = o.now();
    for (const jobId of await o.store.endedJobsWithSegments(20)) {
      await o.objects.removePrefix(segmentPrefix(jobId));
      await o.store.dropSegments(jobId);
      o.log.info("segments of an ended job removed", { jobId });
    }
  }

  /** Stops this process's pieces of a job (canceled through this process). */
  abortJob(jobId: string): void {
    for (const run of this.runs.values())
      if (run.lease.segment.jobId === jobId) {
        run.lost = true;
        run.abort.abort();
      }
  }

  /** The SIGTERM path: no new pieces; running ones are killed and handed back. */
  stop(): void {
    this.stopping = true;
    for (const run of this.runs.values()) run.abort.abort();
    void this.inputs.dropIdle();
  }

  private async run(lease: SegmentLease, local: string | undefined): Promise<void> {
    const o = this.options;
    const { jobId, index, count } = lease.segment;
    const log = o.log.child({ jobId, userId: lease.job.userid, segment: index });
    const name = `${jobId}#${index}`;
    const run: PieceRun = { lease, abort: new AbortController(), lost: false, percent: 0 };
    this.runs.set(name, run);
    const heartbeat = setInterval(() => void this.beat(run), o.heartbeatMs);
    const dir = await mkdtemp(join(o.tmpDir, "segment-"));
    log.info("segment started", { index, count, attempt: lease.segment.attempts });
    let held: HeldInput | undefined;
    try {
      if (lease.job.spec.kind !== "transcode") throw new Error("a segment of a job that is not a transcode");
      if (local === undefined) held = await this.inputs.acquire(jobId);
      const input = local ?? held!.path;
      const output = join(dir, "encoded.mp4");
      const range = segmentRange(lease.segment);
      const encode = encodeSegment(
        lease.job.spec.profile.ffmpeg,
        input,
        output,
        range,
        o.encodeThreads,
        (block) => {
          run.percent = percentOf(block, lease.segment.durationSeconds);
        },
      );
      const kill = () => encode.kill();
      run.abort.signal.addEventListener("abort", kill, { once: true });
      const outcome = await encode.done;
      run.abort.signal.removeEventListener("abort", kill);
      if (run.abort.signal.aborted) return await this.abandoned(run, log);
      if (outcome.code !== 0) {
        const message = `ffmpeg failed: ${lastErrorLine(outcome.stderr, [dir])}`;
        const state = await o.store.failSegment(lease, { message, retryable: true }, o.now());
        log.warn("segment failed", { message, state });
        return;
      }
      // A piece of a job canceled meanwhile is not uploaded (its objects are being removed).
      if (!(await o.store.heartbeatSegment(lease, o.now(), o.leaseMs, 100))) return;
      await o.objects.putFile(encodedKey(jobId, index), output, { handOver: true });
      const done = await o.store.completeSegment(lease, o.now());
      log.info(done ? "segment complete" : "segment finished but its lease was lost");
    } catch (error) {
      if (run.abort.signal.aborted) return await this.abandoned(run, log);
      const message = errorText(error);
      log.warn("segment failed", { message });
      await o.store
        .failSegment(lease, { message: "the segment's worker failed", retryable: true }, o.now())
        .catch(() => undefined);
    } finally {
      clearInterval(heartbeat);
      this.runs.delete(name);
      await held?.release();
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** Lost (job canceled or failed, piece taken over): nothing to write. Stopping: hand it back. */
  private async abandoned(run: PieceRun, log: Logger): Promise<void> {
    if (run.lost) {
      log.info("segment stopped: its job stopped or it was taken over");
      return;
    }
    const released = await this.options.store
      .releaseSegment(run.lease, this.options.now())
      .catch(() => false);
    log.info("segment handed back: worker stopping", { released });
  }

  private async beat(run: PieceRun): Promise<void> {
    if (run.lost || run.abort.signal.aborted) return;
    const o = this.options;
    try {
      if (!(await o.store.heartbeatSegment(run.lease, o.now(), o.leaseMs, run.percent))) {
        run.lost = true;
        run.abort.abort();
      }
    } catch (error) {
      o.log.warn("segment heartbeat failed", { jobId: run.lease.segment.jobId, error: errorText(error) });
    }
  }
}
