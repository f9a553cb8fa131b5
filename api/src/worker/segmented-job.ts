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
  writeConcatList,
} from "../media/segments.js";
import { FINAL_STATES, type Phase } from "../model/job.js";
import {
  canResume,
  encodedKey,
  isTruncated,
  jobPercent,
  planFromCuts,
  type Segment,
  type SegmentPolicy,
  segmentFileName,
  segmentInputKey,
  segmentPrefix,
  segmentsOutcome,
  splitPoints,
} from "../model/segments.js";
import type { ObjectStore } from "../storage/objects.js";
import type { SegmentQueue } from "../store/segments.js";
import type { JobQueries, Lease } from "../store/store.js";
import { JobError } from "./errors.js";
import type { SegmentWork } from "./segment-work.js";

// The segmented path of a transcode, run by the worker that holds the job: find the input's
// keyframes, store the input for every segment's encoder and queue the segments (time ranges from
// one keyframe to the next), encode segments of this job while other slots (any process) take the
// rest, then join them by stream copy. Nothing is cut beforehand: each encoder seeks to its own
// keyframe, so all start at once. A job taken over after its worker died finds its segments queued
// and done ones kept; a job that ends any other way leaves no segment rows or objects.

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

/** Encodes `input` into `output` in segments; false when the input is too short or its keyframes too sparse to split. */
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
  // The audio is one thread's work over the whole input: started first, so it runs beside the
  // keyframe scan and the video segments, not after them (killed if the input is not segmented).
  const audio = info.hasAudio ? startAudio(run, input) : undefined;
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
      segments = await plan(o, run, input, cuts, duration);
    }
    await encodeAll(o, run, input);
    await join_(o, run, segments.length, await audio?.finished, output);
    await cleanUp(o, job.id);
    return true;
  } catch (error) {
    // A worker stopping or a job taken over keeps its segments for the next attempt.
    const now = await o.store.get(job.id);
    const final = !now || FINAL_STATES.has(now.status);
    if (final || !(error instanceof Lost || run.signal.aborted)) await cleanUp(o, job.id);
    if (error instanceof Lost || run.signal.aborted) throw new Lost("the job's lease was lost");
    if (error instanceof SegmentFailed) throw new JobError("TRANSCODE_FAILED", error.message, false);
    throw error;
  } finally {
    audio?.kill();
  }
}

/** Where the input is split; empty when its keyframes are too sparse. A truncated input fails the job. */
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

/** The segments, queued once the input they read is stored (so a planned segment always has it). */
async function plan(
  o: SegmentedOptions,
  run: SegmentedRun,
  input: string,
  cuts: number[],
  duration: number,
): Promise<Segment[]> {
  const job = run.lease.job;
  await cleanUp(o, job.id);
  // The holder's own segments read its copy; the stored one is read by every other process.
  await o.objects.putFile(segmentInputKey(job.id), input, { handOver: true });
  if (!(await o.store.planSegments(run.lease, planFromCuts(cuts, duration), o.maxAttempts, o.now())))
    throw new Lost("lost before planning");
  o.log.info("segments planned", { jobId: job.id, count: cuts.length + 1, cuts });
  o.wake();
  return o.store.segments(job.id);
}

/** Works on this job's segments until all are done; the job's percent follows theirs. */
async function encodeAll(o: SegmentedOptions, run: SegmentedRun, input: string): Promise<void> {
  const jobId = run.lease.job.id;
  const progress = async () => {
    const segments = await o.store.segments(jobId);
    run.setProgress("TRANSCODING", jobPercent(segments));
    return segmentsOutcome(segments);
  };
  const timer = setInterval(() => void progress().catch(() => undefined), o.heartbeatMs);
  try {
    for (;;) {
      if (run.signal.aborted) throw new Lost("aborted");
      const outcome = await progress();
      if (outcome.state === "done") return;
      if (outcome.state === "failed") {
        const s = outcome.segment;
        throw new SegmentFailed(
          `segment ${s.index + 1} of ${s.count} failed: ${s.errorMessage ?? "unknown error"}`,
        );
      }
      if (!(await o.work.runOne(jobId, input)))
        await sleep(o.pollMs, undefined, { signal: run.signal }).catch(() => undefined);
    }
  } finally {
    clearInterval(timer);
  }
}

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
