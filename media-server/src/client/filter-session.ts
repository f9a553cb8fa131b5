import { type KurentoEvent, KurentoRpc } from "./kurento-rpc.js";

/** The filters the demo offers, and how each is created on the server. */
export const FILTERS: Record<string, { type: string; constructorParams?: Record<string, unknown> } | null> = {
  loopback: null,
  edge: { type: "EdgeDetectFilter" },
  faceblur: { type: "FaceBlurFilter" },
  faceoverlay: { type: "FaceOverlayFilter" },
  zbar: { type: "ZBarFilter" },
  plate: { type: "PlateDetectorFilter" },
  flip: { type: "GStreamerFilter", constructorParams: { command: "videoflip method=horizontal-flip" } },
  grey: { type: "GStreamerFilter", constructorParams: { command: "videobalance saturation=0.0" } },
};

const EVENTS = {
  endpoint: [
    "IceCandidateFound",
    "MediaFlowInStateChanged",
    "MediaFlowOutStateChanged",
    "ConnectionStateChanged",
    "IceComponentStateChanged",
  ],
  filter: ["CodeFound", "FacesDetected", "PlateDetected", "Error"],
  pipeline: ["Error"],
};

export interface FilterSession {
  pc: RTCPeerConnection;
  rpc: KurentoRpc;
  pipeline: string;
  endpoint: string;
  stop(): Promise<void>;
}

export interface SessionOptions {
  wsUrl: string;
  filter: string;
  stream: MediaStream;
  onEvent: (e: KurentoEvent) => void;
  onClose?: () => void;
  /** What the sender keeps when the CPU is short: the tests say which one they measure with. */
  degradationPreference?: RTCDegradationPreference;
}

/** Camera → server (through the chosen filter) → back, the Kurento way: create, connect, negotiate. */
export async function startFilterSession(o: SessionOptions): Promise<FilterSession> {
  if (!(o.filter in FILTERS)) throw new Error(`unknown filter '${o.filter}'`);
  const rpc = await KurentoRpc.connect(o.wsUrl);
  rpc.onClose = () => o.onClose?.();
  const pc = new RTCPeerConnection();
  rpc.onEvent = (e) => {
    if (e.type === "IceCandidateFound") void pc.addIceCandidate(e.data.candidate as RTCIceCandidateInit);
    o.onEvent(e);
  };
  const pipeline = await rpc.value<string>("create", { type: "MediaPipeline", constructorParams: {} });
  // The demo shows what the filters add: Kurento's latency stats, off by default (they cost CPU).
  await invoke(rpc, pipeline, "setLatencyStats", { latencyStats: true });
  const endpoint = await rpc.value<string>("create", {
    type: "WebRtcEndpoint",
    constructorParams: { mediaPipeline: pipeline },
  });
  await subscribeAll(rpc, endpoint, EVENTS.endpoint);
  await subscribeAll(rpc, pipeline, EVENTS.pipeline);
  const spec = FILTERS[o.filter];
  if (spec) {
    const filter = await rpc.value<string>("create", {
      type: spec.type,
      constructorParams: { mediaPipeline: pipeline, ...spec.constructorParams },
    });
    await subscribeAll(rpc, filter, EVENTS.filter);
    await invoke(rpc, endpoint, "connect", { sink: filter });
    await invoke(rpc, filter, "connect", { sink: endpoint });
  } else {
    await invoke(rpc, endpoint, "connect", { sink: endpoint });
  }

  for (const track of o.stream.getVideoTracks()) {
    const sender = pc.addTransceiver(track, { direction: "sendrecv" }).sender;
    if (o.degradationPreference) {
      const params = sender.getParameters();
      await sender.setParameters({
        ...params,
        degradationPreference: o.degradationPreference,
      } as RTCRtpSendParameters);
    }
  }
  pc.onicecandidate = (e) => {
    if (e.candidate) void invoke(rpc, endpoint, "addIceCandidate", { candidate: e.candidate.toJSON() });
  };
  await pc.setLocalDescription(await pc.createOffer());
  const answer = await invoke<string>(rpc, endpoint, "processOffer", { offer: pc.localDescription?.sdp });
  await pc.setRemoteDescription({ type: "answer", sdp: answer });
  await invoke(rpc, endpoint, "gatherCandidates", {});

  return {
    pc,
    rpc,
    pipeline,
    endpoint,
    async stop() {
      pc.close();
      await rpc.request("release", { object: pipeline }).catch(() => {});
      rpc.close();
    },
  };
}

function invoke<T = unknown>(
  rpc: KurentoRpc,
  object: string,
  operation: string,
  operationParams: Record<string, unknown>,
) {
  return rpc.value<T>("invoke", { object, operation, operationParams });
}

async function subscribeAll(rpc: KurentoRpc, object: string, types: string[]): Promise<void> {
  for (const type of types) await rpc.request("subscribe", { object, type }).catch(() => {});
}
