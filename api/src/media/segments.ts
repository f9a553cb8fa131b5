import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import type { FfmpegProfile } from "../model/profile.js";
import type { ProgressBlock } from "../model/progress.js";
import {
  audioEncodeArgs,
  concatList,
  joinArgs,
  type SegmentRange,
  segmentEncodeArgs,
} from "../model/segments.js";
import { type FfmpegRun, lastErrorLine, ProbeError, runFfmpeg } from "./ffmpeg.js";

// Segmented encoding with ffmpeg: the input's keyframe times, a segment's encode (its range of the
// whole input, read from its first keyframe), and the join (concat demuxer, stream copy). Argv only;
// every path is one of the worker's fixed temp names.

const execFileAsync = promisify(execFile);

export class SegmentFailed extends Error {}

export interface VideoPackets {
  /** Presentation times of the keyframes, in seconds. */
  keyframes: number[];
  /** The latest presentation time of any video packet: where the video really ends. */
  lastPacketSeconds: number | undefined;
}

/** The video's keyframe times and its end, from the packet index (no decode). */
export async function keyframeTimes(path: string): Promise<VideoPackets> {
  let stdout: string;
  try {
    ({ stdout } = await execFileAsync(
      "ffprobe",
      [
        "-v",
        "error",
        "-select_streams",
        "v:0",
        "-show_entries",
        "packet=pts_time,flags",
        "-of",
        "csv=p=0",
        path,
      ],
      { maxBuffer: 256 * 1024 * 1024, timeout: 120_000 },
    ));
  } catch {
    throw new ProbeError("the input's video packets cannot be read (corrupt or truncated?)");
  }
  const keyframes: number[] = [];
  let last: number | undefined;
  for (const line of stdout.split("\n")) {
    const [time, flags] = line.split(",");
    const t = time === "N/A" || time === "" ? Number.NaN : Number(time);
    if (!Number.isFinite(t)) continue;
    last = last === undefined ? t : Math.max(last, t);
    if (flags?.startsWith("K")) keyframes.push(t);
  }
  return { keyframes, lastPacketSeconds: last };
}

/** Encodes one segment's range of the input with the job's profile, video only. */
export function encodeSegment(
  profile: FfmpegProfile,
  input: string,
  output: string,
  range: SegmentRange,
  threads: number | undefined,
  onProgress?: (block: ProgressBlock) => void,
): FfmpegRun {
  return runFfmpeg(segmentEncodeArgs(profile, input, output, range, threads), onProgress);
}

/** Writes the concat list of `count` encoded segments (named by segmentFileName) in `dir`. */
export async function writeConcatList(dir: string, count: number): Promise<string> {
  const list = join(dir, "segments.txt");
  await writeFile(list, concatList(count));
  return list;
}

/** Encodes the input's audio once, for the join to copy. */
export function encodeAudio(input: string, output: string): FfmpegRun {
  return runFfmpeg(audioEncodeArgs(input, output));
}

/** Joins the listed segments and the encoded audio (if any) without re-encoding. */
export function joinSegments(
  profile: FfmpegProfile,
  list: string,
  audio: string | undefined,
  output: string,
): FfmpegRun {
  return runFfmpeg(joinArgs(profile, list, audio, output));
}

/** Throws SegmentFailed with ffmpeg's last error line when `run` did not exit 0. */
export async function expectSuccess(run: FfmpegRun, what: string, hide: string[]): Promise<void> {
  const outcome = await run.done;
  if (outcome.code !== 0) throw new SegmentFailed(`${what} failed: ${lastErrorLine(outcome.stderr, hide)}`);
}
