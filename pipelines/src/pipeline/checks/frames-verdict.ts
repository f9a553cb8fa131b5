// Whether a WebRTC loopback delivers video, as pure rules over samples of the page's state: decoded
// frames past a floor and still rising over a window passes; a missing session, a failed ICE
// connection or frames that stop growing fail once the deadline has passed, with what was seen.

export interface FramesSample {
  /** Milliseconds since the check began. */
  atMs: number;
  /** The page has a session (the pipeline was created and the offer answered). */
  session: boolean;
  /** RTCPeerConnection.iceConnectionState (undefined without a session). */
  ice?: string;
  framesDecoded: number;
}

export interface FramesRule {
  /** Decoded frames needed before the rise counts. */
  minFrames: number;
  /** Frames must have grown over this long, ending at the newest sample. */
  riseWindowMs: number;
  /** Give up after this long since the check began. */
  deadlineMs: number;
}

export type FramesVerdict =
  | { state: "passed"; framesDecoded: number; overMs: number }
  | { state: "waiting" }
  | { state: "failed"; reason: string };

export function assessFrames(samples: readonly FramesSample[], rule: FramesRule): FramesVerdict {
  const last = samples.at(-1);
  if (!last) return { state: "waiting" };
  if (last.ice === "failed")
    return { state: "failed", reason: "ICE failed: no media path to the media server" };
  const base = [...samples].reverse().find((s) => s.session && last.atMs - s.atMs >= rule.riseWindowMs);
  if (last.framesDecoded > rule.minFrames && base !== undefined && last.framesDecoded > base.framesDecoded) {
    const first = samples.find((s) => s.session) ?? base;
    return { state: "passed", framesDecoded: last.framesDecoded, overMs: last.atMs - first.atMs };
  }
  if (last.atMs < rule.deadlineMs) return { state: "waiting" };
  if (!samples.some((s) => s.session))
    return { state: "failed", reason: "no session: the page never started the loopback" };
  if (last.framesDecoded === 0)
    return { state: "failed", reason: `no frames decoded (ICE ${last.ice ?? "unknown"})` };
  return {
    state: "failed",
    reason: `frames stalled at ${last.framesDecoded} (ICE ${last.ice ?? "unknown"}; need > ${rule.minFrames} and rising over ${rule.riseWindowMs / 1000} s)`,
  };
}
