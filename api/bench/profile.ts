import type { FfmpegProfile } from "../src/model/profile.js";

/** The profile the API's benches encode with (overhead.ts, segmented.ts), so their figures compare. */
export const BENCH_PROFILE: FfmpegProfile = {
  codec: "h264",
  scale: "360p",
  bitrate: 2,
  profile: "quality",
  speed: "veryfast",
  platform: "cpu",
};
