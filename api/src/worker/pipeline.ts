import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { lastErrorLine, type MediaInfo, probe, runFfmpeg } from "../media/ffmpeg.js";
import { qualityArgs, transcodeArgs } from "../model/ffmpeg-args.js";
import type { Job, JobResult, Phase, QualityResult, QualitySpec, TranscodeSpec } from "../model/job.js";
import {
  type FrameQuality,
  mergeFrames,
  parsePsnrStats,
  parseQualitySummary,
  parseSsimStats,
  percentOf,
} from "../model/progress.js";
import { LEGACY_QUALITY_PLAN, parseVmafLog } from "../model/quality-metrics.js";
import type { JobFiles } from "../storage/files.js";
import { JobError } from "./errors.js";

// What a job does, step by step, in its own temp folder. Inputs are downloaded to fixed file names
// there, so no user string ever reaches ffmpeg's argv.

export interface JobContext {
  job: Job;
  dir: string;
  files: JobFiles;
  signal: AbortSignal;
  setProgress(phase: Phase, percent: number): void;
  saveFrames(frames: FrameQuality[]): Promise<void>;
  /** Whether an input this long is encoded in segments (the threshold of the worker's policy). */
  segmentable?(info: MediaInfo): boolean;
  /** Encodes a long input in segments across workers (segmented-job.ts); false: single pass. */
  encodeSegmented?(input: string, output: string, info: MediaInfo): Promise<boolean>;
  /** Ends a timed phase (worker/phase-clock.ts). */
  mark?(phase: string): void;
  /** ffmpeg threads per encode (worker/identity.ts encodeThreadsOf); undefined: ffmpeg decides. */
  threads?: number;
}

class Aborted extends Error {}

function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new Aborted("aborted");
}

async function ffmpeg(
  context: JobContext,
  args: string[],
  durationSeconds: () => number | undefined,
  what: string,
) {
  const run = runFfmpeg(args, (block) =>
    context.setProgress("TRANSCODING", percentOf(block, durationSeconds())),
  );
  const onAbort = () => run.kill();
  context.signal.addEventListener("abort", onAbort, { once: true });
  try {
    const outcome = await run.done;
    throwIfAborted(context.signal);
    if (outcome.code !== 0) {
      throw new JobError(
        `${what}_FAILED`,
        `ffmpeg failed: ${lastErrorLine(outcome.stderr, [context.dir])}`,
        false,
      );
    }
    return outcome;
  } finally {
    context.signal.removeEventListener("abort", onAbort);
  }
}

/**
 * ffprobe validates the input while ffmpeg starts on it: each spends ~100 ms loading its libraries,
 * on a job of a few seconds. A bad input stops ffmpeg and fails as ffprobe saw it (INPUT_INVALID);
 * progress counts from the probe's verdict, the phase staying PROBING until then.
 */
async function probeWhileEncoding(
  context: JobContext,
  input: string,
  args: string[],
  stopFor: (info: MediaInfo) => boolean = () => false,
): Promise<{ info: MediaInfo; stopped: boolean }> {
  let info: MediaInfo | undefined;
  const stop = new AbortController();
  const encoding = ffmpeg(
    {
      ...context,
      signal: AbortSignal.any([context.signal, stop.signal]),
      setProgress: (phase, percent) => {
        if (info) context.setProgress(phase, percent);
      },
    },
    args,
    () => info?.durationSeconds,
    "TRANSCODE",
  );
  // Its failure is read after the probe's verdict, not as an unhandled rejection before it.
  encoding.catch(() => undefined);
  try {
    info = await probe(input);
  } catch (error) {
    stop.abort();
    await encoding.catch(() => undefined);
    throw error;
  }
  context.mark?.("probe");
  if (stopFor(info)) {
    stop.abort();
    await encoding.catch(() => undefined);
    throwIfAborted(context.signal);
    return { info, stopped: true };
  }
  context.setProgress("TRANSCODING", 0);
  await encoding;
  return { info, stopped: false };
}

async function transcode(context: JobContext, spec: TranscodeSpec): Promise<JobResult> {
  const input = join(context.dir, "input");
  const output = join(context.dir, "output.mp4");
  context.setProgress("PROBING", 0);
  await context.files.fetch(spec.input, context.job.userid, input, context.signal);
  context.mark?.("fetch");
  throwIfAborted(context.signal);
  const args = transcodeArgs(spec.profile.ffmpeg, input, output, context.threads);
  // The single pass starts while the probe runs; when the probe finds a long input, it is stopped and
  // the segments take over (a short job keeps the overlap, a long one loses a fraction of a second).
  const probed = await probeWhileEncoding(
    context,
    input,
    args,
    (info) => context.segmentable?.(info) ?? false,
  );
  if (probed.stopped) {
    context.setProgress("TRANSCODING", 0);
    const segmented = await context.encodeSegmented?.(input, output, probed.info);
    if (!segmented) await ffmpeg(context, args, () => probed.info.durationSeconds, "TRANSCODE");
  }
  context.mark?.("ffmpeg");
  context.setProgress("UPLOADING", 100);
  const bytes = await context.files.store(spec.output, context.job.userid, output);
  context.mark?.("upload");
  throwIfAborted(context.signal);
  return { output: spec.output, bytes };
}

async function quality(context: JobContext, spec: QualitySpec): Promise<QualityResult> {
  const { measure, unavailable } = spec.plan ?? LEGACY_QUALITY_PLAN;
  const distorted = join(context.dir, "distorted");
  const reference = join(context.dir, "reference");
  const paths = {
    distorted,
    reference,
    psnrLog: join(context.dir, "psnr.log"),
    ssimLog: join(context.dir, "ssim.log"),
    vmafLog: join(context.dir, "vmaf.json"),
  };
  context.setProgress("PROBING", 0);
  await context.files.fetch(spec.input, context.job.userid, distorted, context.signal);
  await context.files.fetch(spec.reference, context.job.userid, reference, context.signal);
  context.mark?.("fetch");
  throwIfAborted(context.signal);
  const [, ref] = await Promise.all([probe(distorted), probe(reference)]);
  context.mark?.("probe");
  if (!ref.width || !ref.height)
    throw new JobError("INPUT_INVALID", "the reference has no frame size", false);
  const nothing = !Object.values(measure).some(Boolean);
  context.setProgress("TRANSCODING", 0);
  const outcome = nothing
    ? { stderr: "" }
    : await ffmpeg(
        context,
        qualityArgs(paths, ref.width, ref.height, measure),
        () => ref.durationSeconds,
        "QUALITY",
      );
  context.mark?.("ffmpeg");
  context.setProgress("UPLOADING", 100);
  const summary = parseQualitySummary(outcome.stderr);
  const read = async (on: boolean, file: string) => (on ? readFile(file, "utf8") : "");
  const frames = mergeFrames(
    parsePsnrStats(await read(measure.psnr, paths.psnrLog)),
    parseSsimStats(await read(measure.ssim, paths.ssimLog)),
  );
  const vmaf = parseVmafLog(await read(measure.vmaf || measure.msSsim, paths.vmafLog));
  await context.saveFrames(frames);
  context.mark?.("frames");
  // JSON has no Infinity: identical inputs give PSNR inf, reported as null with ssim 1.
  const finite = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? null : n);
  return {
    psnr: measure.psnr ? finite(summary.psnr) : null,
    ssim: measure.ssim ? finite(summary.ssim) : null,
    vmaf: measure.vmaf ? finite(vmaf.vmaf) : null,
    msSsim: measure.msSsim ? finite(vmaf.msSsim) : null,
    ...(Object.keys(unavailable).length > 0 && { unavailable }),
    frames: frames.length,
  };
}

export function runJob(context: JobContext): Promise<JobResult> {
  const spec = context.job.spec;
  return spec.kind === "transcode" ? transcode(context, spec) : quality(context, spec);
}
