// A small catalogue of generated clips: short and long, small and large, so the load mixes quick jobs
// with slow ones. Generated with ffmpeg's test sources, so nothing has to be downloaded. Pure.

export interface Clip {
  name: string;
  seconds: number;
  width: number;
  height: number;
}

/** Most popular first (the plan's Zipf ranks follow this order). */
export const CATALOGUE: readonly Clip[] = [
  { name: "short-360p.mp4", seconds: 4, width: 640, height: 360 },
  { name: "medium-360p.mp4", seconds: 10, width: 640, height: 360 },
  { name: "short-720p.mp4", seconds: 4, width: 1280, height: 720 },
  { name: "long-360p.mp4", seconds: 24, width: 640, height: 360 },
  { name: "long-720p.mp4", seconds: 20, width: 1280, height: 720 },
];

/**
 * ffmpeg argv that writes the clip to `path`: a moving test pattern with grain (flat patterns let the
 * encoder undershoot any bitrate), a tone, 25 fps, a keyframe every `gopSeconds` (2 by default, so
 * long clips can be cut into segments; null leaves x264's default of 10 s). `qp` fixes the quantizer
 * (small clips of high detail for tests); else CRF 18.
 */
export function clipArgs(
  clip: Clip,
  path: string,
  { qp, gopSeconds = 2 }: { qp?: number; gopSeconds?: number | null } = {},
): string[] {
  const size = `${clip.width}x${clip.height}`;
  return [
    ...["-hide_banner", "-loglevel", "error", "-y"],
    ...["-f", "lavfi", "-i", `testsrc2=size=${size}:rate=25:duration=${clip.seconds}`],
    ...["-f", "lavfi", "-i", `sine=frequency=440:duration=${clip.seconds}`],
    ...["-vf", "noise=alls=12:allf=t", "-c:v", "libx264", "-preset", "ultrafast"],
    ...(qp === undefined ? ["-crf", "18"] : ["-qp", String(qp)]),
    ...(gopSeconds === null ? [] : ["-g", String(25 * gopSeconds)]),
    ...["-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", path],
  ];
}
