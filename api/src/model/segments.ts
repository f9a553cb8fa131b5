import { OUTPUT_AUDIO, OUTPUT_CONTAINER, transcodeArgs } from "./ffmpeg-args.js";
import type { FfmpegProfile } from "./profile.js";

// Segmented encoding, the pure part: where a long input is split (at its own keyframes, so each
// segment's encoder seeks straight to one and decodes no frame twice), how a segment is encoded
// (the job's profile over its time range of the whole input, video only), how the segments are
// joined (stream copy; the audio is encoded once over the whole input, beside the segments rather
// than after them, so the join only copies), and what the job's progress is (the segments'
// progress weighted by their durations).

export interface SegmentPolicy {
  /** Inputs at least this long are segmented. */
  thresholdSeconds: number;
  /** The length a segment aims for; it ends at the first keyframe past it. */
  segmentSeconds: number;
}

/**
 * Cut times (seconds from the start, each an input keyframe) for an input of `duration`; empty
 * when the input is short or has too few keyframes to cut. A segment is at least `segmentSeconds`
 * long, and the last one at least half of that, so no tiny tail pays a whole encoder start.
 */
export function splitPoints(keyframes: readonly number[], duration: number, policy: SegmentPolicy): number[] {
  if (!(duration >= policy.thresholdSeconds) || policy.segmentSeconds <= 0) return [];
  const cuts: number[] = [];
  let last = 0;
  for (const time of [...keyframes].sort((a, b) => a - b)) {
    if (time - last < policy.segmentSeconds) continue;
    if (duration - time < policy.segmentSeconds / 2) break;
    cuts.push(time);
    last = time;
  }
  return cuts;
}

/** A segment's place in the input: from a keyframe; the last one has no end, so it runs to the input's. */
export interface SegmentRange {
  startSeconds: number;
  durationSeconds?: number;
}

/**
 * ffmpeg's input options that make it read only `range`: `-ss` seeks to the keyframe before the
 * time (here the segment's own first frame) and drops what precedes it, `-t` stops before the next
 * segment's first frame. ffprobe prints times rounded to microseconds, so both start a little before
 * the keyframe (less than any frame interval).
 */
export function rangeArgs(range: SegmentRange): string[] {
  const start = Math.max(0, range.startSeconds - 0.0005);
  const end = range.durationSeconds === undefined ? [] : ["-t", range.durationSeconds.toFixed(6)];
  return [...(start > 0 ? ["-ss", start.toFixed(6)] : []), ...end];
}

export interface SegmentProgress {
  durationSeconds: number;
  percent: number;
}

/** The job's percent: each segment's percent weighted by its duration; 100 only when all are. */
export function jobPercent(segments: readonly SegmentProgress[]): number {
  if (segments.length === 0) return 0;
  if (segments.every((s) => s.percent >= 100)) return 100;
  const total = segments.reduce((sum, s) => sum + Math.max(0, s.durationSeconds), 0);
  const done =
    total > 0
      ? segments.reduce((sum, s) => sum + Math.max(0, s.durationSeconds) * clampPercent(s.percent), 0) / total
      : segments.reduce((sum, s) => sum + clampPercent(s.percent), 0) / segments.length;
  return Math.min(99, Math.floor(done));
}

const clampPercent = (p: number) => Math.max(0, Math.min(100, p));

/** Options of the single-pass argv that concern audio or the final file, not a video segment. */
const WHOLE_FILE_OPTIONS = new Set(["-c:a", "-b:a", "-movflags"]);

/**
 * A segment's argv: the single-pass argv of the same profile (one source for rate control, GOP,
 * preset...) over the segment's range of the whole input, video only; the audio is encoded once at
 * the join, so no AAC priming lands mid-file.
 */
export function segmentEncodeArgs(
  profile: FfmpegProfile,
  inputPath: string,
  outputPath: string,
  range: SegmentRange,
  threads?: number,
): string[] {
  const single = transcodeArgs(profile, inputPath, outputPath, threads);
  const args: string[] = [];
  for (let i = 0; i < single.length; i++) {
    const arg = single[i]!;
    if (WHOLE_FILE_OPTIONS.has(arg) || (arg === "-map" && single[i + 1]?.startsWith("0:a"))) {
      i++;
      continue;
    }
    if (arg === "-i") args.push(...rangeArgs(range));
    if (arg === outputPath && i === single.length - 1) args.push("-an");
    args.push(arg);
  }
  return args;
}

/** Fixed names, relative to the list's folder: the concat demuxer's safe mode accepts them. */
export function segmentFileName(index: number): string {
  return `segment-${String(index).padStart(4, "0")}.mp4`;
}

/** The concat demuxer's list. */
export function concatList(count: number): string {
  return Array.from({ length: count }, (_, i) => `file '${segmentFileName(i)}'\n`).join("");
}

/**
 * The input's audio encoded alone, as single pass encodes it, into an MP4 the join copies from. One
 * thread: AAC's encoder has one, and the audio runs beside the video pieces on the same CPUs.
 */
export function audioEncodeArgs(inputPath: string, outputPath: string): string[] {
  return [
    "-hide_banner",
    "-nostdin",
    "-y",
    "-threads",
    "1",
    "-i",
    inputPath,
    "-map",
    "0:a:0",
    "-vn",
    ...OUTPUT_AUDIO,
    "-f",
    "mp4",
    outputPath,
  ];
}

/** The join: the segments' video and the encoded audio (when the input has some) copied as they are. */
export function joinArgs(
  profile: FfmpegProfile,
  listPath: string,
  audioPath: string | undefined,
  outputPath: string,
): string[] {
  // The codec tag (hvc1 for HEVC) is a property of the file: keep the single pass's.
  const single = transcodeArgs(profile, listPath, outputPath);
  const tagAt = single.indexOf("-tag:v");
  const tag = tagAt >= 0 ? single[tagAt + 1] : undefined;
  return [
    "-hide_banner",
    "-nostdin",
    "-y",
    "-f",
    "concat",
    "-i",
    listPath,
    ...(audioPath ? ["-i", audioPath, "-map", "0:v:0", "-map", "1:a:0"] : ["-map", "0:v:0"]),
    "-c",
    "copy",
    ...(tag ? ["-tag:v", tag] : []),
    ...OUTPUT_CONTAINER,
    "-f",
    "mp4",
    outputPath,
  ];
}

export const SEGMENT_STATES = ["QUEUED", "RUNNING", "DONE", "FAILED"] as const;
export type SegmentState = (typeof SEGMENT_STATES)[number];

export interface PlannedSegment {
  startSeconds: number;
  durationSeconds: number;
}

/** A piece of a job, leased to a worker like a job is (store/segments.ts). */
export interface Segment extends PlannedSegment {
  jobId: string;
  index: number;
  count: number;
  status: SegmentState;
  percent: number;
  attempts: number;
  maxAttempts: number;
  errorMessage: string | null;
}

/** A planned segment's range: the last one runs to the input's end, whatever its header says. */
export function segmentRange(
  segment: Pick<Segment, "index" | "count" | "startSeconds" | "durationSeconds">,
): SegmentRange {
  return segment.index === segment.count - 1
    ? { startSeconds: segment.startSeconds }
    : { startSeconds: segment.startSeconds, durationSeconds: segment.durationSeconds };
}

/** The segments between the cuts. */
export function planFromCuts(cuts: readonly number[], duration: number): PlannedSegment[] {
  const starts = [0, ...cuts];
  return starts.map((start, i) => ({
    startSeconds: start,
    durationSeconds: (starts[i + 1] ?? duration) - start,
  }));
}

/**
 * A file whose header promises more than its packets hold was cut short: segmenting it would make
 * a short output look complete. One second of slack covers the last frame's and audio's length.
 */
export function isTruncated(lastPacketSeconds: number | undefined, duration: number): boolean {
  return lastPacketSeconds === undefined || duration - lastPacketSeconds > 1;
}

export type SegmentsOutcome =
  | { state: "running" }
  | { state: "done" }
  | { state: "failed"; segment: Segment };

/** Where a job's segments stand: one FAILED piece fails the job; all DONE lets it join. */
export function segmentsOutcome(segments: readonly Segment[]): SegmentsOutcome {
  const failed = segments.find((s) => s.status === "FAILED");
  if (failed) return { state: "failed", segment: failed };
  if (segments.length > 0 && segments.every((s) => s.status === "DONE")) return { state: "done" };
  return { state: "running" };
}

/**
 * Whether a taken-over job can go on with the segments it has: not when one failed. Segments are
 * planned only once the input they read is stored, so planned ones always have it.
 */
export function canResume(segments: readonly Segment[]): boolean {
  return segments.length > 0 && segmentsOutcome(segments).state !== "failed";
}

/** Object keys of a job's segments, under one prefix so they go together. */
export const segmentPrefix = (jobId: string) => `segments/${jobId}/`;
/** The job's input, as every segment's encoder reads it. */
export const segmentInputKey = (jobId: string) => `${segmentPrefix(jobId)}input`;
export const encodedKey = (jobId: string, index: number) =>
  `${segmentPrefix(jobId)}${segmentFileName(index)}`;
