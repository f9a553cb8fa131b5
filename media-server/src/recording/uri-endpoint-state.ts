// Kurento's UriEndpoint life (UriEndpointState STOP, START, PAUSE) for RecorderEndpoint and
// PlayerEndpoint, as pure transition tables: the objects ask here before they touch a process, so
// a call in the wrong state gets an error and never half-starts anything.

export type UriEndpointState = "STOP" | "START" | "PAUSE";

export type RecorderAction = "record" | "pause" | "stop";
export type PlayerAction = "play" | "pause" | "stop" | "endOfStream";

/** Whether a recorder may do `action` now, and if not, why (for the client's error). */
export function recorderTransition(
  state: UriEndpointState,
  action: RecorderAction,
  facts: { connected: boolean; finished: boolean },
): { next: UriEndpointState } | { refused: string } {
  // A stopped recording is finalized (EOS written, file closed): Kurento starts no new one on it.
  if (facts.finished) return { refused: "this recording is finished; create a new RecorderEndpoint" };
  switch (action) {
    case "record":
      if (!facts.connected) return { refused: "connect a source to the RecorderEndpoint before record()" };
      return { next: "START" };
    case "pause":
      if (state === "STOP") return { refused: "pause() needs a recording in progress; call record() first" };
      return { next: "PAUSE" };
    case "stop":
      return { next: "STOP" };
  }
}

export function playerTransition(
  state: UriEndpointState,
  action: PlayerAction,
): { next: UriEndpointState } | { refused: string } {
  switch (action) {
    case "play":
      return { next: "START" };
    case "pause":
      if (state === "STOP") return { refused: "pause() needs a playing PlayerEndpoint; call play() first" };
      return { next: "PAUSE" };
    case "stop":
      return { next: "STOP" };
    case "endOfStream":
      return state === "START" ? { next: "STOP" } : { refused: "not playing" };
  }
}

/** Kurento's recorder event for a state it enters. */
export const recorderEvent: Record<UriEndpointState, string> = {
  START: "Recording",
  PAUSE: "Paused",
  STOP: "Stopped",
};

/** The media profiles Kurento defines; only the WebM ones are recorded here. */
export const KURENTO_PROFILES = [
  "WEBM",
  "MKV",
  "MP4",
  "WEBM_VIDEO_ONLY",
  "WEBM_AUDIO_ONLY",
  "MKV_VIDEO_ONLY",
  "MKV_AUDIO_ONLY",
  "MP4_VIDEO_ONLY",
  "MP4_AUDIO_ONLY",
  "JPEG_VIDEO_ONLY",
  "KURENTO_SPLIT_RECORDER",
  "FLV",
] as const;

export type SupportedProfile = "WEBM" | "WEBM_VIDEO_ONLY" | "WEBM_AUDIO_ONLY";

/** Which tracks a profile records, or why it can't be used. */
export function profileTracks(
  profile: unknown,
): { video: boolean; audio: boolean; profile: SupportedProfile } | { refused: string } {
  const value = profile ?? "WEBM";
  if (typeof value !== "string" || !(KURENTO_PROFILES as readonly string[]).includes(value)) {
    return { refused: `mediaProfile must be one of ${KURENTO_PROFILES.join(", ")}` };
  }
  if (value === "WEBM") return { video: true, audio: true, profile: value };
  if (value === "WEBM_VIDEO_ONLY") return { video: true, audio: false, profile: value };
  if (value === "WEBM_AUDIO_ONLY") return { video: false, audio: true, profile: value };
  return {
    refused: `mediaProfile ${value} is not supported here (supported: WEBM, WEBM_VIDEO_ONLY, WEBM_AUDIO_ONLY)`,
  };
}
