/// <reference lib="dom" />
/**
 * The benchmarks' page code (bundled by esbuild and added to the demo page): a canvas stream
 * stamped with performance.now(), sent through the server, a local peer pair or Janus, and read
 * back with requestVideoFrameCallback on the same page, so the latency needs one clock only.
 */
import { startFilterSession } from "../../src/client/filter-session.js";
import { decodeStamp, paintStamp, ringFractions, STAMP_HEIGHT, STAMP_WIDTH, stampAge } from "../stamp.js";

export interface Trip {
  /** now - stamp per decoded frame, ms (after the warm-up). */
  latencies: number[];
  /** Frames presented and frames whose stamp did not decode. */
  frames: number;
  undecoded: number;
  /** From getStats at the end: candidate-pair RTT and remote-inbound-rtp RTT (ms), inbound jitter (ms). */
  pairRttMs: number | undefined;
  remoteRttMs: number | undefined;
  jitterMs: number | undefined;
  width: number;
  height: number;
}

/** A 640×480 canvas repainted with the time at 30 fps, as a 30 fps capture stream. */
function stampedStream(): { stream: MediaStream; stop(): void } {
  const canvas = document.createElement("canvas");
  canvas.width = STAMP_WIDTH;
  canvas.height = STAMP_HEIGHT;
  const ctx = canvas.getContext("2d")!;
  const timer = window.setInterval(() => paintStamp(ctx, performance.now()), 1000 / 30);
  paintStamp(ctx, performance.now());
  const stream = canvas.captureStream(30);
  return {
    stream,
    stop() {
      window.clearInterval(timer);
      for (const t of stream.getTracks()) t.stop();
    },
  };
}

function videoFor(stream: MediaStream): HTMLVideoElement {
  const video = document.createElement("video");
  video.muted = true;
  video.autoplay = true;
  video.playsInline = true;
  video.srcObject = stream;
  document.body.append(video);
  void video.play();
  return video;
}

/** Reads the stamp of every presented frame for `seconds`, after `warmupSeconds`. */
function readStamps(video: HTMLVideoElement, warmupSeconds: number, seconds: number) {
  const canvas = document.createElement("canvas");
  canvas.width = STAMP_WIDTH;
  canvas.height = STAMP_HEIGHT;
  const ctx = canvas.getContext("2d", { willReadFrequently: true })!;
  const latencies: number[] = [];
  let frames = 0;
  let undecoded = 0;
  const start = performance.now();
  return new Promise<{ latencies: number[]; frames: number; undecoded: number }>((resolve) => {
    const onFrame = (now: number) => {
      const elapsed = (now - start) / 1000;
      if (elapsed > warmupSeconds + seconds) return resolve({ latencies, frames, undecoded });
      if (elapsed > warmupSeconds) {
        frames++;
        ctx.drawImage(video, 0, 0, STAMP_WIDTH, STAMP_HEIGHT);
        const stamp = decodeStamp(
          ringFractions(ctx.getImageData(0, 0, STAMP_WIDTH, STAMP_HEIGHT).data, STAMP_WIDTH),
        );
        const age = stamp === undefined ? undefined : stampAge(now, stamp);
        // A misread that passed the check bits would be far off: keep ages a trip can have.
        if (age !== undefined && age < 5000) latencies.push(age);
        else undecoded++;
      }
      video.requestVideoFrameCallback(onFrame);
    };
    video.requestVideoFrameCallback(onFrame);
    // A stream that never presents a frame still ends.
    window.setTimeout(() => resolve({ latencies, frames, undecoded }), (warmupSeconds + seconds + 5) * 1000);
  });
}

async function transportStats(pc: RTCPeerConnection) {
  let pairRttMs: number | undefined;
  let remoteRttMs: number | undefined;
  let jitterMs: number | undefined;
  let width = 0;
  let height = 0;
  const reports: Record<string, unknown>[] = [];
  (await pc.getStats()).forEach((r: Record<string, unknown>) => void reports.push(r));
  const transport = reports.find((r) => r.type === "transport");
  for (const r of reports) {
    const ms = (v: unknown) => (typeof v === "number" ? v * 1000 : undefined);
    if (r.type === "candidate-pair" && (r.id === transport?.selectedCandidatePairId || r.nominated))
      pairRttMs = ms(r.currentRoundTripTime) ?? pairRttMs;
    if (r.type === "remote-inbound-rtp" && r.kind === "video") remoteRttMs = ms(r.roundTripTime);
    if (r.type === "inbound-rtp" && r.kind === "video") {
      jitterMs = ms(r.jitter);
      width = Number(r.frameWidth ?? 0);
      height = Number(r.frameHeight ?? 0);
    }
  }
  return { pairRttMs, remoteRttMs, jitterMs, width, height };
}

async function measure(
  pc: RTCPeerConnection,
  received: Promise<MediaStream>,
  warmup: number,
  seconds: number,
) {
  const video = videoFor(await received);
  const read = await readStamps(video, warmup, seconds);
  const stats = await transportStats(pc);
  video.remove();
  return { ...read, ...stats };
}

function firstTrack(pc: RTCPeerConnection): Promise<MediaStream> {
  return new Promise((resolve) => {
    pc.ontrack = (e) => resolve(e.streams[0] ?? new MediaStream([e.track]));
  });
}

function preferVp8(transceiver: RTCRtpTransceiver): void {
  const codecs = RTCRtpReceiver.getCapabilities("video")?.codecs ?? [];
  transceiver.setCodecPreferences([
    ...codecs.filter((c) => c.mimeType === "video/VP8"),
    ...codecs.filter((c) => c.mimeType !== "video/VP8"),
  ]);
}

async function maintainResolution(sender: RTCRtpSender): Promise<void> {
  const params = sender.getParameters();
  await sender.setParameters({
    ...params,
    degradationPreference: "maintain-resolution",
  } as RTCRtpSendParameters);
}

/** Baseline: canvas → local RTCPeerConnection pair (VP8) → video, no server. */
async function local(warmup: number, seconds: number): Promise<Trip> {
  const source = stampedStream();
  const a = new RTCPeerConnection();
  const b = new RTCPeerConnection();
  a.onicecandidate = (e) => e.candidate && void b.addIceCandidate(e.candidate);
  b.onicecandidate = (e) => e.candidate && void a.addIceCandidate(e.candidate);
  const transceiver = a.addTransceiver(source.stream.getVideoTracks()[0]!, { direction: "sendonly" });
  preferVp8(transceiver);
  await maintainResolution(transceiver.sender);
  const received = firstTrack(b);
  await a.setLocalDescription(await a.createOffer());
  await b.setRemoteDescription(a.localDescription!);
  await b.setLocalDescription(await b.createAnswer());
  await a.setRemoteDescription(b.localDescription!);
  try {
    return await measure(b, received, warmup, seconds);
  } finally {
    a.close();
    b.close();
    source.stop();
  }
}

/** Canvas → media server (through `filter`) → back on the same connection. */
async function server(wsUrl: string, filter: string, warmup: number, seconds: number): Promise<Trip> {
  const source = stampedStream();
  const session = await startFilterSession({
    wsUrl,
    filter,
    stream: source.stream,
    degradationPreference: "maintain-resolution",
    onEvent: () => {},
  });
  // The track event fired during the negotiation inside startFilterSession: take the receiver's.
  const video = session.pc.getReceivers().find((r) => r.track.kind === "video");
  const received = Promise.resolve(new MediaStream(video ? [video.track] : []));
  try {
    return await measure(session.pc, received, warmup, seconds);
  } finally {
    await session.stop();
    source.stop();
  }
}

/** Janus's websocket API: one request, its answer by transaction (acks skipped). */
class JanusSocket {
  private next = 0;
  private waiting = new Map<string, (m: Record<string, unknown>) => void>();
  private constructor(private ws: WebSocket) {
    ws.onmessage = (e) => {
      const m = JSON.parse(String(e.data)) as Record<string, unknown>;
      if (m.janus === "ack") return;
      this.waiting.get(String(m.transaction))?.(m);
    };
  }
  static open(url: string): Promise<JanusSocket> {
    const ws = new WebSocket(url, "janus-protocol");
    return new Promise((resolve, reject) => {
      ws.onopen = () => resolve(new JanusSocket(ws));
      ws.onerror = () => reject(new Error(`cannot reach Janus at ${url}`));
    });
  }
  request(body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const transaction = `t${this.next++}`;
    return new Promise((resolve, reject) => {
      const timer = window.setTimeout(
        () => reject(new Error(`Janus did not answer ${String(body.janus)}`)),
        10_000,
      );
      this.waiting.set(transaction, (m) => {
        window.clearTimeout(timer);
        this.waiting.delete(transaction);
        if (m.janus === "error") reject(new Error(`Janus: ${JSON.stringify(m.error)}`));
        else resolve(m);
      });
      this.ws.send(JSON.stringify({ ...body, transaction }));
    });
  }
  close(): void {
    this.ws.close();
  }
}

function gathered(pc: RTCPeerConnection): Promise<void> {
  if (pc.iceGatheringState === "complete") return Promise.resolve();
  return new Promise((resolve) => {
    pc.addEventListener("icegatheringstatechange", () => pc.iceGatheringState === "complete" && resolve());
    window.setTimeout(resolve, 5000);
  });
}

/** Canvas → Janus's echotest plugin → back: create a session, attach, offer with every candidate. */
async function janus(wsUrl: string, warmup: number, seconds: number): Promise<Trip> {
  const source = stampedStream();
  const socket = await JanusSocket.open(wsUrl);
  const session = (await socket.request({ janus: "create" })).data as { id: number };
  const keepalive = window.setInterval(
    () => void socket.request({ janus: "keepalive", session_id: session.id }).catch(() => {}),
    15_000,
  );
  const handle = (
    await socket.request({ janus: "attach", session_id: session.id, plugin: "janus.plugin.echotest" })
  ).data as { id: number };
  const pc = new RTCPeerConnection();
  const transceiver = pc.addTransceiver(source.stream.getVideoTracks()[0]!, { direction: "sendrecv" });
  preferVp8(transceiver);
  await maintainResolution(transceiver.sender);
  const received = firstTrack(pc);
  await pc.setLocalDescription(await pc.createOffer());
  await gathered(pc);
  const answer = await socket.request({
    janus: "message",
    session_id: session.id,
    handle_id: handle.id,
    body: { audio: true, video: true },
    jsep: { type: "offer", sdp: pc.localDescription!.sdp },
  });
  const jsep = answer.jsep as RTCSessionDescriptionInit | undefined;
  if (!jsep) throw new Error(`Janus answered without jsep: ${JSON.stringify(answer)}`);
  await pc.setRemoteDescription(jsep);
  try {
    return await measure(pc, received, warmup, seconds);
  } finally {
    window.clearInterval(keepalive);
    pc.close();
    await socket.request({ janus: "destroy", session_id: session.id }).catch(() => {});
    socket.close();
    source.stop();
  }
}

declare global {
  interface Window {
    mediaBench: { local: typeof local; server: typeof server; janus: typeof janus };
  }
}
window.mediaBench = { local, server, janus };
