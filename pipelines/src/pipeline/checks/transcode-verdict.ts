import { z } from "zod";

// What a finished verification job must look like, as pure rules: the output ffprobe saw has a
// video stream in the codec and height the job asked for, and lasts about as long as the input.

export interface ProbedMedia {
  video?: { codec: string; height: number };
  durationSeconds: number;
}

export interface TranscodeExpectation {
  /** The API's codec name (h264, h265). */
  codec: "h264" | "h265";
  height: number;
  durationSeconds: number;
  /** How far the output's duration may be from the input's (encoder padding, AAC priming). */
  toleranceSeconds: number;
}

/** ffprobe's names for the API's codecs. */
const FFPROBE_CODEC: Record<TranscodeExpectation["codec"], string> = { h264: "h264", h265: "hevc" };

const ffprobeOutput = z.object({
  streams: z
    .array(
      z.object({
        codec_type: z.string().optional(),
        codec_name: z.string().optional(),
        height: z.number().optional(),
      }),
    )
    .default([]),
  format: z.object({ duration: z.string().optional() }).default({}),
});

/** `ffprobe -print_format json -show_streams -show_format` → what the verdict reads. */
export function parseProbe(json: string): ProbedMedia {
  const parsed = ffprobeOutput.parse(JSON.parse(json));
  const video = parsed.streams.find((s) => s.codec_type === "video");
  const durationSeconds = Number(parsed.format.duration ?? Number.NaN);
  return {
    ...(video && { video: { codec: video.codec_name ?? "unknown", height: video.height ?? 0 } }),
    durationSeconds,
  };
}

/** Problems with the output, empty when it is what the job asked for. */
export function transcodeProblems(media: ProbedMedia, expected: TranscodeExpectation): string[] {
  if (!media.video) return ["the output has no video stream"];
  const problems: string[] = [];
  const codec = FFPROBE_CODEC[expected.codec];
  if (media.video.codec !== codec) problems.push(`video codec is ${media.video.codec}, asked for ${codec}`);
  if (media.video.height !== expected.height)
    problems.push(`video height is ${media.video.height}, asked for ${expected.height}`);
  if (
    !Number.isFinite(media.durationSeconds) ||
    Math.abs(media.durationSeconds - expected.durationSeconds) > expected.toleranceSeconds
  ) {
    problems.push(
      `duration is ${media.durationSeconds.toFixed(2)} s, the input's ${expected.durationSeconds.toFixed(2)} s (± ${expected.toleranceSeconds} s)`,
    );
  }
  return problems;
}
