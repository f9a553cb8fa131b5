// Pure: a WebRTC session's decoded frames over time, from readings of the page (framesDecoded of its
// current peer connection, which starts again from 0 when the page reconnects to a new session).

export interface FrameReading {
  at: number;
  /** framesDecoded of the page's current session (0 when it has none). */
  framesDecoded: number;
  /** The page's reconnect count: a change means a new session (and a new frame counter). */
  reconnects: number;
}

export interface FrameFigures {
  frames: number;
  /** The longest time without a new decoded frame, from the first frame to the last reading. */
  longestGapMs: number;
  /** When that gap began (the reading with the last frame before it). */
  longestGapFrom?: number;
  reconnects: number;
  /** Time from the first reading to the first decoded frame. */
  firstFrameAfterMs?: number;
}

export function frameFigures(readings: readonly FrameReading[]): FrameFigures {
  let frames = 0;
  let lastFrameAt: number | undefined;
  let firstFrameAt: number | undefined;
  let longestGapMs = 0;
  let longestGapFrom: number | undefined;
  let previous: FrameReading | undefined;
  for (const r of readings) {
    const sameSession = previous !== undefined && previous.reconnects === r.reconnects;
    const base =
      sameSession && r.framesDecoded >= (previous?.framesDecoded ?? 0) ? (previous?.framesDecoded ?? 0) : 0;
    const added = r.framesDecoded - base;
    // Up to this reading nothing new came since the last frame: the gap runs until here.
    if (lastFrameAt !== undefined && r.at - lastFrameAt > longestGapMs) {
      longestGapMs = r.at - lastFrameAt;
      longestGapFrom = lastFrameAt;
    }
    if (added > 0) {
      frames += added;
      firstFrameAt ??= r.at;
      lastFrameAt = r.at;
    }
    previous = r;
  }
  const first = readings[0];
  return {
    frames,
    longestGapMs,
    ...(longestGapFrom !== undefined && { longestGapFrom }),
    reconnects: (readings.at(-1)?.reconnects ?? 0) - (first?.reconnects ?? 0),
    ...(firstFrameAt !== undefined && first && { firstFrameAfterMs: firstFrameAt - first.at }),
  };
}
