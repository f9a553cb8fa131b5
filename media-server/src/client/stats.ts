/** Live numbers for the demo page, from two getStats snapshots. */
export interface LiveStats {
  fps: number;
  width: number;
  height: number;
  framesDecoded: number;
  bitrateKbps: number;
  rttMs: number | undefined;
  /** The receiver's decode time per frame. */
  decodeMsPerFrame: number | undefined;
}

export interface Snapshot {
  at: number;
  framesDecoded: number;
  bytesReceived: number;
  width: number;
  height: number;
  rttMs: number | undefined;
  totalProcessingDelay: number;
}

export function snapshot(report: RTCStatsReport, at: number): Snapshot {
  const s: Snapshot = {
    at,
    framesDecoded: 0,
    bytesReceived: 0,
    width: 0,
    height: 0,
    rttMs: undefined,
    totalProcessingDelay: 0,
  };
  report.forEach((r: Record<string, unknown>) => {
    if (r.type === "inbound-rtp" && r.kind === "video") {
      s.framesDecoded = Number(r.framesDecoded ?? 0);
      s.bytesReceived = Number(r.bytesReceived ?? 0);
      s.width = Number(r.frameWidth ?? 0);
      s.height = Number(r.frameHeight ?? 0);
      s.totalProcessingDelay = Number(r.totalProcessingDelay ?? 0);
    }
    if (r.type === "candidate-pair" && r.nominated && typeof r.currentRoundTripTime === "number") {
      s.rttMs = r.currentRoundTripTime * 1000;
    }
  });
  return s;
}

export function liveStats(before: Snapshot, after: Snapshot): LiveStats {
  const seconds = Math.max((after.at - before.at) / 1000, 0.001);
  const frames = after.framesDecoded - before.framesDecoded;
  return {
    fps: Math.round((frames / seconds) * 10) / 10,
    width: after.width,
    height: after.height,
    framesDecoded: after.framesDecoded,
    bitrateKbps: Math.round(((after.bytesReceived - before.bytesReceived) * 8) / seconds / 1000),
    rttMs: after.rttMs,
    decodeMsPerFrame:
      frames > 0
        ? Math.round(((after.totalProcessingDelay - before.totalProcessingDelay) / frames) * 1000)
        : undefined,
  };
}

/** The latency the server's GStreamer process adds, from a Kurento getStats answer (ns → ms). */
export function serverLatencyMs(stats: unknown): number | undefined {
  for (const entry of Object.values(
    (stats ?? {}) as Record<string, { inputLatency?: Array<{ avg: number }> }>,
  )) {
    const avg = entry?.inputLatency?.[0]?.avg;
    if (typeof avg === "number") return Math.round((avg / 1e6) * 10) / 10;
  }
  return undefined;
}
