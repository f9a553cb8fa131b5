import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { type ProbedMedia, parseProbe } from "./transcode-verdict.js";

// ffmpeg and ffprobe, argv only: the verification clip and what an output really contains.

const run = promisify(execFile);

/** A short clip from ffmpeg's test sources (picture and tone): small, and the same every run. */
export async function makeClip(path: string, seconds: number): Promise<void> {
  await run("ffmpeg", [
    "-hide_banner",
    "-loglevel",
    "error",
    "-y",
    "-f",
    "lavfi",
    "-i",
    `testsrc=size=320x240:rate=25:duration=${seconds}`,
    "-f",
    "lavfi",
    "-i",
    `sine=frequency=440:duration=${seconds}`,
    "-c:v",
    "libx264",
    "-preset",
    "ultrafast",
    "-pix_fmt",
    "yuv420p",
    "-c:a",
    "aac",
    "-shortest",
    path,
  ]);
}

export async function probeMedia(path: string): Promise<ProbedMedia> {
  const { stdout } = await run("ffprobe", [
    "-v",
    "error",
    "-print_format",
    "json",
    "-show_streams",
    "-show_format",
    path,
  ]);
  return parseProbe(stdout);
}
