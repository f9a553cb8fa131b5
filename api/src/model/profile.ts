// The accepted profile values: the one place they are listed. The API's /schema, the request
// validation and the ffmpeg argv mapping all read from here.

export const CODECS = ["h264", "h265"] as const;
export const SCALES = ["1080p", "720p", "480p", "360p", "240p"] as const;
export const PROFILES = ["quality", "latency"] as const;
export const PLATFORMS = ["cpu", "gpu"] as const;
/** x264/x265 presets, fastest first (placebo left out: it is never worth it). */
export const SPEEDS = [
  "ultrafast",
  "superfast",
  "veryfast",
  "faster",
  "fast",
  "medium",
  "slow",
  "slower",
  "veryslow",
] as const;
/** Mb/s, inclusive. */
export const BITRATE_RANGE = [1, 15] as const;
export const PRIORITY_RANGE = [0, 100] as const;

export type Codec = (typeof CODECS)[number];
export type Scale = (typeof SCALES)[number];
export type Profile = (typeof PROFILES)[number];
export type Platform = (typeof PLATFORMS)[number];
export type Speed = (typeof SPEEDS)[number];

export interface FfmpegProfile {
  codec: Codec;
  scale: Scale;
  /** Mb/s */
  bitrate: number;
  profile: Profile;
  speed: Speed;
  platform: Platform;
}

export const SCALE_HEIGHT: Record<Scale, number> = {
  "1080p": 1080,
  "720p": 720,
  "480p": 480,
  "360p": 360,
  "240p": 240,
};

export const ENCODER: Record<Codec, string> = { h264: "libx264", h265: "libx265" };

export interface Capabilities {
  encoders: string[];
  qualityFilters: string[];
}

/** The earlier service's /schema shape, extended with speeds and what this host can do. */
export function schemaDocument(capabilities: Capabilities) {
  return {
    ec2: { platform: [...PLATFORMS] },
    ffmpeg: {
      codec: [...CODECS],
      scale: [...SCALES],
      bitrate: [...BITRATE_RANGE],
      profile: [...PROFILES],
      priority: [...PRIORITY_RANGE],
      speed: [...SPEEDS],
    },
    capabilities,
  };
}
