import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "../log.js";
import type { MediaInfo } from "../media/ffmpeg.js";
import {
  encodeAudio,
  expectSuccess,
  joinSegments,
  keyframeTimes,
  SegmentFailed,
  splitInput,
  writeConcatList,
} from "../media/segments.js";
import { FINAL_STATES, type Phase } from "../model/job.js";
import {
  canResume,
  encodedKey,
  isTruncated,
  jobPercent,
  pieceFileName,
  pieceKey,
  planFromCuts,
  type Segment,
  type SegmentPolicy,
  segmentFileName,
  segmentPrefix,
  segmentsOutcome,
  splitPoints,
} from "../model/segments.js";
import type { ObjectStore } from "../storage/objects.js";
import type { SegmentQueue } from "../store/segments.js";
import type { JobQueries, Lease } from "../store/store.js";
import { JobError } from "./errors.js";
import type { SegmentWork } from "./segment-work.js";

// The segmented path of a transcode, run by the worker that holds the job: cut the input at its
// keyframes, queue the pieces, encode pieces of this job while other slots (any process) take the
// rest, then join them by stream copy. A job taken over after its worker died finds its pieces
// queued and done ones kept; a job that ends any other way leaves no piece rows or objects.

export interface SegmentedOptions {
  store: SegmentQueue & Pick<JobQueries, "get">;
  objects: ObjectStore;
  work: SegmentWork;
  policy: SegmentPolicy;
  maxAttempts: number;
  pollMs: number;
  heartbeatMs: number;
  log: Logger;
  now: () => number;
  /** Wakes this process's idle slots: pieces are queued. */
  wake: () => void;
}

export interface SegmentedRun {
  lease: Lease;
  dir: string;
  signal: AbortSignal;
  setProgress(phase: Phase, percent: number): void;
}

class Lost extends Error {}

/** Encodes `input` into `output` in segments; false when the input is too short or cannot be cut. */
export async function encodeSegmented(
  o: SegmentedOptions,
  run: SegmentedRun,
  input: string,
  output: string,
  info: MediaInfo,
): Promise<boolean> {
  const duration = info.durationSeconds;
  if (duration === undefined || duration < o.policy.thresholdSeconds) return false;
  const job = run.lease.job;
  if (job.spec.kind !== "transcode") return false;
  const stopCut = new AbortController();
  let cut: Promise<void> | undefined;
  try {
    let segments = await o.store.segments(job.id);
    if (canResume(segments))
      o.log.info("segments resumed", {
        jobId: job.id,
        done: segments.filter((s) => s.status === "DONE").length,
      });
    else {
      const cuts = await cutPoints(input, duration, o.policy);
      if (cuts.length === 0) return false;
      segments = await plan(o, run, cuts, duration);
      cut = cutInto(o, run, input, cuts, stopCut.signal);
    }
    // The audio is one thread's work over the whole input: done beside the cut and the pieces, not after.
    const audio = info.hasAudio ? startAudio(run, input) : undefined;
    try {
      await encodeAll(o, run, cut);
      await join_(o, run, segments.length, await audio?.finished, output);
    } finally {
      audio?.kill();
    }
    await cleanUp(o, job.id);
    return true;
  } catch (error) {
    // No piece may be stored after the clean-up: the cut ends first.
    stopCut.abort();
    await cut?.catch(() => undefined);
    // A worker stopping or a job taken over keeps its pieces for the next attempt.
    const now = await o.store.get(job.id);
    const final = !now || FINAL_STATES.has(now.status);
    if (final || !(error instanceof Lost || run.signal.aborted)) await cleanUp(o, job.id);
    if (error instanceof Lost || run.signal.aborted) throw new Lost("the job's lease was lost");
    if (error instanceof SegmentFailed) throw new JobError("TRANSCODE_FAILED", error.message, false);
    throw error;
  }
}

/** Where the input is cut; empty when its keyframes are too sparse. A truncated input fails the job. */
async function cutPoints(input: string, duration: number, policy: SegmentPolicy): Promise<number[]> {
  const packets = await keyframeTimes(input);
  if (isTruncated(packets.lastPacketSeconds, duration))
    throw new JobError(
      "INPUT_INVALID",
      `the input is truncated: its video ends at ${(packets.lastPacketSeconds ?? 0).toFixed(1)} s of the ${duration.toFixed(1)} s it declares`,
      false,
    );
  return splitPoints(packets.keyframes, duration, policy);
}

/** The pieces planned before the cut, as CUTTING, so each can be queued the moment it is stored. */
async function plan(
  o: SegmentedOptions,
  run: SegmentedRun,
  cuts: number[],
  duration: number,
): Promise<Segment[]> {
  const job = run.lease.job;
  await cleanUp(o, job.id);
  await mkdir(join(run.dir, "pieces"));
  if (!(await o.store.planSegments(run.lease, planFromCuts(cuts, duration), o.maxAttempts, o.now())))
    throw new Lost("lost before planning");
  o.log.info("segments planned", { jobId: job.id, count: cuts.length + 1, cuts });
  return o.store.segments(job.id);
}

/** The cut, each piece stored and queued as soon as it is whole; runs while the pieces are encoded. */
async function cutInto(
  o: SegmentedOptions,
  run: SegmentedRun,
  input: string,
  cuts: number[],
  signal: AbortSignal,
): Promise<void> {
  const job = run.lease.job;
  const dir = join(run.dir, "pieces");
  await splitInput(
    input,
    cuts,
    dir,
    async (index) => {
      await o.objects.putFile(pieceKey(job.id, index), join(dir, pieceFileName(index)), { handOver: true });
      if (!(await o.store.segmentCut(run.lease, index, o.now()))) throw new Lost("lost during the cut");
      o.wake();
    },
    AbortSignal.any([signal, run.signal]),
  );
}

/**
 * Works on this job's pieces until all are done, starting while the cut still writes them (so this
 * slot is not idle through the cut); the job's percent follows theirs. A failed cut stops it.
 */
async function encodeAll(o: SegmentedOptions, run: SegmentedRun, cut?: Promise<void>): Promise<void> {
  const jobId = run.lease.job.id;
  let cutting = cut !== undefined;
  let cutFailure: { error: unknown } | undefined;
  cut?.then(
    () => {
      cutting = false;
    },
    (error: unknown) => {
      cutting = false;
      cutFailure = { error };
      o.work.abortJob(jobId);
    },
  );
  const progress = async () => {
    const segments = await o.store.segments(jobId);
    run.setProgress("TRANSCODING", jobPercent(segments));
    return segmentsOutcome(segments);
  };
  const timer = setInterval(() => void progress().catch(() => undefined), o.heartbeatMs);
  try {
    for (;;) {
      if (run.signal.aborted) throw new Lost("aborted");
      if (cutFailure) throw cutFailure.error;
      const outcome = await progress();
      if (outcome.state === "done") return await cut;
      if (outcome.state === "failed") {
        const s = outcome.segment;
        throw new SegmentFailed(
          `segment ${s.index + 1} of ${s.count} failed: ${s.errorMessage ?? "unknown error"}`,
        );
      }
      if (!(await o.work.runOne(jobId, (index) => join(run.dir, "pieces", pieceFileName(index)))))
        await sleep(cutting ? Math.min(o.pollMs, CUT_POLL_MS) : o.pollMs, undefined, {
          signal: run.signal,
        }).catch(() => undefined);
    }
  } finally {
    clearInterval(timer);
  }
}

/** While the cut runs, how often this slot looks for the next piece: it is due within a second or two. */
const CUT_POLL_MS = 100;

/** The input's audio encoding in the background; `finished` names its file once it is done. */
function startAudio(run: SegmentedRun, input: string): { finished: Promise<string>; kill(): void } {
  const file = join(run.dir, "audio.m4a");
  const encode = encodeAudio(input, file);
  const finished = expectSuccess(encode, "encoding the audio", [run.dir]).then(() => file);
  // Awaited only after the pieces: a failure meanwhile must not go unhandled.
  finished.catch(() => undefined);
  return { finished, kill: () => encode.kill() };
}

async function join_(
  o: SegmentedOptions,
  run: SegmentedRun,
  count: number,
  audio: string | undefined,
  output: string,
): Promise<void> {
  const job = run.lease.job;
  if (job.spec.kind !== "transcode") return;
  const dir = join(run.dir, "encoded");
  await mkdir(dir, { recursive: true });
  for (let i = 0; i < count; i++)
    await o.objects.download(encodedKey(job.id, i), join(dir, segmentFileName(i)));
  const joinRun = joinSegments(job.spec.profile.ffmpeg, await writeConcatList(dir, count), audio, output);
  const kill = () => joinRun.kill();
  run.signal.addEventListener("abort", kill, { once: true });
  try {
    await expectSuccess(joinRun, "joining the segments", [run.dir]);
  } finally {
    run.signal.removeEventListener("abort", kill);
  }
  if (run.signal.aborted) throw new Lost("aborted");
}

async function cleanUp(o: SegmentedOptions, jobId: string): Promise<void> {
  await o.objects.removePrefix(segmentPrefix(jobId));
  await o.store.dropSegments(jobId);
}
