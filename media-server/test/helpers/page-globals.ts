/// <reference lib="dom" />
// What the demo page (src/client/demo.ts) exposes on window, as the Node-side tests see it.
declare global {
  interface Window {
    mediaDemo: {
      start(filter: string, degradation?: RTCDegradationPreference): Promise<void>;
      stop(): Promise<void>;
      state: {
        session: { pc: RTCPeerConnection; pipeline: string; endpoint: string } | undefined;
        stats: { fps: number; serverLatencyMs: number | undefined } | undefined;
        events: Array<{ object: string; type: string; data: Record<string, unknown> }>;
        reconnects: number;
      };
    };
  }
}

export {};
