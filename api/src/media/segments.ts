import { execFile } from "node:child_process";
import { readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import type { FfmpegProfile } from "../model/profile.js";
import type { ProgressBlock } from "../model/progress.js";
import {
  audioEncodeArgs,
  concatList,
  joinArgs,
  segmentEncodeArgs,
  segmentTimesArg,
} from "../model/segments.js";
import { type FfmpegRun, lastErrorLine, ProbeError, runFfmpeg } from "./ffmpeg.js";

// Segmented encoding with ffmpeg: the input's keyframe times, the cut (packets copied, so no frame
// is lost or decoded twice), a segment's encode, and the join (concat demuxer, stream copy). Argv
// only; every path is one of the worker's fixed temp names.

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

/** Name of the cut's pieces in `dir`, in order. */
const PIECE = /^piece-\d{4}\.mkv$/;

/**
 * Cuts the input's video at `cuts` into `dir/piece-NNNN.mkv` by stream copy; returns the pieces'
 * names in order. `onPiece(i)` runs, in order, as soon as piece i is whole (the muxer has opened
 * the next one, or exited), so its encode can start while the cut goes on; a throw from it stops
 * the cut, as does `signal`. A cut that fails or yields fewer pieces than planned means the input is
 * damaged.
 */
export async function splitInput(
  input: string,
  cuts: readonly number[],
  dir: string,
  onPiece: (index: number) => Promise<void> = async () => undefined,
  signal?: AbortSignal,
): Promise<string[]> {
  const cut = runFfmpeg([
    "-hide_banner",
    "-nostdin",
    "-y",
    "-v",
    "error",
    "-xerror",
    "-i",
    input,
    "-map",
    "0:v:0",
    "-c",
    "copy",
    "-f",
    "segment",
    "-segment_times",
    segmentTimesArg(cuts),
    "-segment_format",
    "matroska",
    "-reset_timestamps",
    "1",
    join(dir, "piece-%04d.mkv"), // pieceFileName
  ]);
  let announced = 0;
  const announceUpTo = async (count: number) => {
    // No piece is announced once the caller gave up, even one the cut finished before it did.
    while (announced < count) {
      signal?.throwIfAborted();
      await onPiece(announced++);
    }
  };
  let exited = false;
  const done = cut.done.finally(() => {
    exited = true;
  });
  try {
    while (!exited) {
      signal?.throwIfAborted();
      await announceUpTo((await piecesIn(dir)).length - 1);
      await Promise.race([done, sleep(PIECE_POLL_MS)]);
    }
  } catch (error) {
    cut.kill();
    await done;
    throw error;
  }
  const outcome = await done;
  if (outcome.code !== 0)
    throw new ProbeError(`the input could not be cut into segments: ${lastErrorLine(outcome.stderr, [dir])}`);
  const pieces = await piecesIn(dir);
  if (pieces.length !== cuts.length + 1)
    throw new ProbeError(
      `the input could not be cut into segments: ${pieces.length} pieces for ${cuts.length + 1} planned (truncated?)`,
    );
  await announceUpTo(pieces.length);
  return pieces;
}

/** How often the cut's folder is looked at for a new piece: a tenth of a second is nothing beside a piece's encode. */
const PIECE_POLL_MS = 100;

async function piecesIn(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((name) => PIECE.test(name)).sort();
}

/** Encodes one piece with the job's profile, video only. */
export function encodeSegment(
  profile: FfmpegProfile,
  input: string,
  output: string,
  threads: number | undefined,
  onProgress?: (block: ProgressBlock) => void,
): FfmpegRun {
  return runFfmpeg(segmentEncodeArgs(profile, input, output, threads), onProgress);
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
