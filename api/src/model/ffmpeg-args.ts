import { ENCODER, type FfmpegProfile, type Profile, SCALE_HEIGHT } from "./profile.js";
import type { QualityMetrics } from "./quality-metrics.js";

// Profile → ffmpeg argv. Paths are the worker's own temp files; nothing a user typed reaches argv
// except through the enumerations and numbers of the profile schema.

/**
 * Rate control: average and peak at the target, a one-second VBV buffer. A longer buffer lets the
 * encoder spend its initial fill on the first seconds, which overshoots the target on short clips.
 */
function rateControl(megabits: number): string[] {
  return ["-b:v", `${megabits}M`, "-maxrate", `${megabits}M`, "-bufsize", `${megabits}M`];
}

/** quality: B-frames and a long GOP; latency: no B-frames, zerolatency tune, one-second GOP. */
function profileTuning(profile: Profile): string[] {
  return profile === "latency"
    ? ["-tune", "zerolatency", "-bf", "0", "-g", "30", "-keyint_min", "30"]
    : ["-bf", "3", "-g", "250"];
}

function codecExtras(profile: FfmpegProfile): string[] {
  // hvc1 so Safari/QuickTime play HEVC in MP4; x265's banner and per-frame log are noise here.
  return profile.codec === "h265" ? ["-tag:v", "hvc1", "-x265-params", "log-level=error"] : [];
}

/** The audio of every output, single pass or segmented (encoded beside the pieces): one setting. */
export const OUTPUT_AUDIO = ["-c:a", "aac", "-b:a", "128k"] as const;
/** The container of every output, single pass or joined from segments. */
export const OUTPUT_CONTAINER = ["-movflags", "+faststart"] as const;

/**
 * `threads`: the encode's share of the worker's CPUs (worker/identity.ts); undefined, ffmpeg decides.
 * The share caps the decoder and the filters as well as the encoder: a heavy input's decode is a third
 * of the work, and left to itself it takes every core of the host.
 */
export function transcodeArgs(
  profile: FfmpegProfile,
  inputPath: string,
  outputPath: string,
  threads?: number,
): string[] {
  return [
    "-hide_banner",
    "-nostdin",
    "-y",
    ...(threads === undefined ? [] : ["-threads", String(threads), "-filter_threads", String(threads)]),
    "-i",
    inputPath,
    "-map",
    "0:v:0",
    "-map",
    "0:a:0?",
    "-vf",
    `scale=-2:${SCALE_HEIGHT[profile.scale]}`,
    "-c:v",
    ENCODER[profile.codec],
    "-preset",
    profile.speed,
    ...profileTuning(profile.profile),
    ...rateControl(profile.bitrate),
    "-pix_fmt",
    "yuv420p",
    ...codecExtras(profile),
    ...(threads === undefined ? [] : ["-threads", String(threads)]),
    ...OUTPUT_AUDIO,
    ...OUTPUT_CONTAINER,
    "-progress",
    "pipe:1",
    "-nostats",
    "-f",
    "mp4",
    outputPath,
  ];
}

export interface QualityPaths {
  distorted: string;
  reference: string;
  psnrLog: string;
  ssimLog: string;
  vmafLog: string;
}

/**
 * The measured metrics of `distorted` against `reference` in one decode: the distorted video is
 * scaled to the reference's size first (a 360p rendition is compared with its 720p origin). libvmaf
 * takes the distorted stream first, then the reference, as psnr and ssim do.
 */
export function qualityArgs(
  paths: QualityPaths,
  width: number,
  height: number,
  measure: QualityMetrics = { vmaf: false, psnr: true, ssim: true, msSsim: false },
): string[] {
  const features = measure.msSsim ? ":feature=name=float_ms_ssim" : "";
  const filters = [
    measure.psnr && `psnr=stats_file=${paths.psnrLog}`,
    measure.ssim && `ssim=stats_file=${paths.ssimLog}`,
    (measure.vmaf || measure.msSsim) && `libvmaf=log_fmt=json:log_path=${paths.vmafLog}${features}`,
  ].filter((f): f is string => typeof f === "string");
  const labels = filters.map((_, i) => i + 1);
  const graph = [
    `[0:v]scale=${width}:${height}:flags=bicubic,format=yuv420p,split=${filters.length}${labels.map((i) => `[d${i}]`).join("")}`,
    `[1:v]format=yuv420p,split=${filters.length}${labels.map((i) => `[r${i}]`).join("")}`,
    ...filters.map((f, i) => `[d${i + 1}][r${i + 1}]${f}`),
  ].join(";");
  return [
    "-hide_banner",
    "-nostdin",
    "-i",
    paths.distorted,
    "-i",
    paths.reference,
    "-lavfi",
    graph,
    "-progress",
    "pipe:1",
    "-nostats",
    "-f",
    "null",
    "-",
  ];
}
