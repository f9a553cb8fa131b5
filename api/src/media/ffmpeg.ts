import { execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { promisify } from "node:util";
import { type ProgressBlock, ProgressParser } from "../model/progress.js";

// Running ffmpeg and ffprobe: argv arrays only, never a shell.

const execFileAsync = promisify(execFile);

export interface MediaInfo {
  durationSeconds: number | undefined;
  width: number | undefined;
  height: number | undefined;
  videoCodec: string | undefined;
  videoBitRate: number | undefined;
  hasAudio: boolean;
}

export class ProbeError extends Error {}

interface FfprobeOutput {
  format?: { duration?: string };
  streams?: {
    codec_type?: string;
    codec_name?: string;
    width?: number;
    height?: number;
    bit_rate?: string;
    duration?: string;
  }[];
}

export async function probe(path: string): Promise<MediaInfo> {
  let stdout: string;
  try {
    ({ stdout } = await execFileAsync(
      "ffprobe",
      ["-v", "error", "-print_format", "json", "-show_format", "-show_streams", path],
      { maxBuffer: 4 * 1024 * 1024, timeout: 60_000 },
    ));
  } catch {
    throw new ProbeError("the input is not a media file ffmpeg can read");
  }
  const out = JSON.parse(stdout) as FfprobeOutput;
  const video = out.streams?.find((s) => s.codec_type === "video");
  if (!video) throw new ProbeError("the input has no video stream");
  const duration = Number(out.format?.duration ?? video.duration);
  const bitRate = Number(video.bit_rate);
  return {
    durationSeconds: Number.isFinite(duration) ? duration : undefined,
    width: video.width,
    height: video.height,
    videoCodec: video.codec_name,
    videoBitRate: Number.isFinite(bitRate) ? bitRate : undefined,
    hasAudio: out.streams?.some((s) => s.codec_type === "audio") ?? false,
  };
}

export interface FfmpegRun {
  pid: number | undefined;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
  kill(): void;
}

/** Keeps the end of stderr: enough for ffmpeg's summary and its last error lines. */
const STDERR_KEEP = 16 * 1024;

export function runFfmpeg(args: string[], onProgress?: (block: ProgressBlock) => void): FfmpegRun {
  const child = spawn("ffmpeg", args, { stdio: ["ignore", "pipe", "pipe"] });
  const parser = new ProgressParser((block) => onProgress?.(block));
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => parser.push(chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_KEEP);
  });
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>(
    (resolve) => {
      child.once("error", () => resolve({ code: -1, signal: null, stderr: "ffmpeg could not be started" }));
      child.once("close", (code, signal) => resolve({ code, signal, stderr }));
    },
  );
  return {
    pid: child.pid,
    done,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    },
  };
}

/** The last meaningful stderr line, for an error message (no paths of ours in it). */
export function lastErrorLine(stderr: string, hide: string[]): string {
  const lines = stderr
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("frame=") && !l.startsWith("["));
  let line = lines[lines.length - 1] ?? "ffmpeg failed";
  for (const secret of hide) line = line.split(secret).join("<tmp>");
  return line.slice(0, 300);
}

/** Encoders this host can run: Debian's ffmpeg lists NVENC even without a GPU, so those need one. */
export async function detectEncoders(): Promise<string[]> {
  try {
    const { stdout } = await execFileAsync("ffmpeg", ["-hide_banner", "-encoders"], { timeout: 20_000 });
    const gpu = existsSync("/dev/nvidia0");
    const wanted = ["libx264", "libx265", ...(gpu ? ["h264_nvenc", "hevc_nvenc"] : [])];
    return wanted.filter((e) => new RegExp(`\\s${e}\\s`).test(stdout));
  } catch {
    return [];
  }
}

export async function detectQualityFilters(): Promise<string[]> {
  try {
    const { stdout } = await execFileAsync("ffmpeg", ["-hide_banner", "-filters"], { timeout: 20_000 });
    return ["psnr", "ssim", "libvmaf"].filter((f) => new RegExp(`\\s${f}\\s`).test(stdout));
  } catch {
    return [];
  }
}
