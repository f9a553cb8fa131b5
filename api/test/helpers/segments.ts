import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { parsePsnrStats } from "../../src/model/progress.js";

// Measures for the segmented-encoding tests and bench: a file's video frame count, duration and
// bitrate, and the per-frame PSNR of two files.

export interface VideoCount {
  frames: number;
  durationSeconds: number;
  bitRate: number;
  audio: boolean;
  /** The audio stream's duration, when there is one. */
  audioDurationSeconds: number | undefined;
}

export function countVideo(path: string): VideoCount {
  const out = JSON.parse(
    execFileSync("ffprobe", [
      "-v",
      "error",
      "-count_packets",
      "-show_entries",
      "stream=codec_type,nb_read_packets,duration,bit_rate",
      "-of",
      "json",
      path,
    ]).toString(),
  ) as { streams: { codec_type: string; nb_read_packets: string; duration: string; bit_rate: string }[] };
  const video = out.streams.find((s) => s.codec_type === "video")!;
  const audio = out.streams.find((s) => s.codec_type === "audio");
  return {
    frames: Number(video.nb_read_packets),
    durationSeconds: Number(video.duration),
    bitRate: Number(video.bit_rate),
    audio: audio !== undefined,
    audioDurationSeconds: audio ? Number(audio.duration) : undefined,
  };
}

/** PSNR (psnr_avg of ffmpeg's psnr filter) of each frame of `a` against `b`, by frame number from 1. */
export function framePsnr(a: string, b: string, statsFile: string): Map<number, number> {
  execFileSync("ffmpeg", [
    "-hide_banner",
    "-loglevel",
    "error",
    "-i",
    a,
    "-i",
    b,
    "-lavfi",
    `[0:v][1:v]psnr=stats_file=${statsFile}`,
    "-f",
    "null",
    "-",
  ]);
  return parsePsnrStats(readFileSync(statsFile, "utf8"));
}
