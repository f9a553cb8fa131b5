import { RTCPeerConnection, RTCRtpCodecParameters, type RTCRtpTransceiver, type RtpPacket } from "werift";
import { RpcError } from "../protocol/errors.js";
import { type Advertisement, advertiseCandidate, advertiseSdp, isCandidateLine } from "./ice-advertise.js";

export interface PeerSettings {
  portRange: [number, number] | undefined;
  advertisement: Advertisement;
  turn: { url: string; username: string; password: string } | undefined;
}

type RtpListener = (packet: RtpPacket) => void;
type Candidate = { candidate: string; sdpMid: string; sdpMLineIndex: number };

const ICE_STATES: Record<string, string> = {
  checking: "CONNECTING",
  connected: "CONNECTED",
  completed: "READY",
  failed: "FAILED",
  disconnected: "DISCONNECTED",
  closed: "DISCONNECTED",
};

/**
 * One werift peer connection, reduced to what a WebRtcEndpoint needs: negotiate, trickle ICE,
 * receive and send VP8 (and Opus, looped as it comes), ask for keyframes.
 */
export class WebRtcPeer {
  onLocalCandidate: (c: Candidate) => void = () => {};
  onGatheringDone: () => void = () => {};
  onIceState: (state: string) => void = () => {};
  onConnectionState: (oldState: string, newState: string) => void = () => {};
  readonly onVideo: RtpListener[] = [];
  readonly onAudio: RtpListener[] = [];
  readonly onKeyframeRequest: Array<() => void> = [];

  private readonly pc: RTCPeerConnection;
  private video: RTCRtpTransceiver | undefined;
  private audio: RTCRtpTransceiver | undefined;
  /** The browser's video SSRC, learned from its first packet: PLIs must name it. */
  private videoSsrc: number | undefined;
  private connected = false;
  private closed = false;

  constructor(private readonly settings: PeerSettings) {
    this.pc = new RTCPeerConnection({
      codecs: {
        video: [
          new RTCRtpCodecParameters({
            mimeType: "video/VP8",
            clockRate: 90000,
            rtcpFeedback: [{ type: "nack" }, { type: "nack", parameter: "pli" }, { type: "goog-remb" }],
          }),
        ],
        audio: [new RTCRtpCodecParameters({ mimeType: "audio/opus", clockRate: 48000, channels: 2 })],
      },
      icePortRange: settings.portRange,
      iceServers: settings.turn
        ? [{ urls: settings.turn.url, username: settings.turn.username, credential: settings.turn.password }]
        : [],
    });
    this.pc.onIceCandidate.subscribe((c) => {
      if (!c) return this.onGatheringDone();
      this.onLocalCandidate({
        candidate: advertiseCandidate(c.candidate, settings.advertisement),
        sdpMid: c.sdpMid ?? "0",
        sdpMLineIndex: c.sdpMLineIndex ?? 0,
      });
    });
    this.pc.iceGatheringStateChange.subscribe((s) => {
      if (s === "complete") this.onGatheringDone();
    });
    this.pc.iceConnectionStateChange.subscribe((s) => {
      const state = ICE_STATES[s];
      if (state) this.onIceState(state);
    });
    this.pc.connectionStateChange.subscribe((s) => {
      const nowConnected = s === "connected";
      if (nowConnected !== this.connected) {
        this.onConnectionState(this.kurentoConnectionState(), nowConnected ? "CONNECTED" : "DISCONNECTED");
        this.connected = nowConnected;
      }
    });
  }

  kurentoConnectionState(): string {
    return this.connected ? "CONNECTED" : "DISCONNECTED";
  }

  async processOffer(offer: string): Promise<string> {
    checkSdp(offer, "SDP_END_POINT_PROCESS_OFFER_ERROR");
    if (this.pc.signalingState !== "stable" || this.pc.remoteDescription) {
      throw new RpcError(
        "SDP_END_POINT_PROCESS_OFFER_ERROR",
        "this endpoint has already negotiated an offer",
      );
    }
    await this.pc
      .setRemoteDescription({ type: "offer", sdp: offer })
      .catch((e: unknown) => sdpError("SDP_END_POINT_PROCESS_OFFER_ERROR", e));
    this.adoptTransceivers();
    // werift (0.25) takes some offers it then cannot answer, e.g. an m-line without a mid: the
    // offer's fault as much as a refused one.
    const answer = await this.pc
      .createAnswer()
      .catch((e: unknown) => sdpError("SDP_END_POINT_PROCESS_OFFER_ERROR", e));
    await this.pc.setLocalDescription(answer).catch((e: unknown) => {
      // Typically every UDP port of MEDIA_UDP_PORTS is taken.
      throw new RpcError(
        "NOT_ENOUGH_RESOURCES",
        `could not open media ports for this endpoint: ${String(e).slice(0, 200)}`,
      );
    });
    return this.localSdp() ?? "";
  }

  async generateOffer(): Promise<string> {
    if (this.pc.localDescription)
      throw new RpcError("SDP_END_POINT_PROCESS_OFFER_ERROR", "an offer was already generated");
    this.pc.addTransceiver("video", { direction: "sendrecv" });
    await this.pc.setLocalDescription(await this.pc.createOffer());
    this.adoptTransceivers();
    return this.localSdp() ?? "";
  }

  async processAnswer(answer: string): Promise<string> {
    checkSdp(answer, "SDP_END_POINT_PROCESS_ANSWER_ERROR");
    if (this.pc.signalingState !== "have-local-offer") {
      throw new RpcError("SDP_END_POINT_PROCESS_ANSWER_ERROR", "processAnswer needs a prior generateOffer");
    }
    await this.pc
      .setRemoteDescription({ type: "answer", sdp: answer })
      .catch((e: unknown) => sdpError("SDP_END_POINT_PROCESS_ANSWER_ERROR", e));
    this.adoptTransceivers();
    return this.localSdp() ?? "";
  }

  async addIceCandidate(c: {
    candidate: string;
    sdpMid: string | undefined;
    sdpMLineIndex: number | undefined;
  }) {
    const line = c.candidate.replace(/^a=/, "");
    if (line === "") return; // end-of-candidates
    if (!isCandidateLine(line))
      throw new RpcError("ICE_CANDIDATE_ERROR", "'candidate' is not a valid ICE candidate line");
    await this.pc
      .addIceCandidate({ candidate: line, sdpMid: c.sdpMid, sdpMLineIndex: c.sdpMLineIndex })
      .catch(() => {
        throw new RpcError("ICE_CANDIDATE_ERROR", "the candidate could not be added");
      });
  }

  localSdp(): string | undefined {
    const sdp = this.pc.localDescription?.sdp;
    return sdp === undefined ? undefined : advertiseSdp(sdp, this.settings.advertisement);
  }

  remoteSdp(): string | undefined {
    return this.pc.remoteDescription?.sdp;
  }

  sendVideo(packet: RtpPacket): void {
    if (this.connected) this.video?.sender.sendRtp(packet).catch(() => {});
  }

  sendAudio(packet: RtpPacket): void {
    if (this.connected) this.audio?.sender.sendRtp(packet).catch(() => {});
  }

  requestKeyframe(): void {
    const ssrc = this.videoSsrc;
    if (ssrc !== undefined && !this.closed) this.video?.receiver.sendRtcpPLI(ssrc).catch(() => {});
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.onVideo.length = 0;
    this.onAudio.length = 0;
    this.onKeyframeRequest.length = 0;
    await this.pc.close().catch(() => {});
  }

  private adoptTransceivers(): void {
    for (const t of this.pc.getTransceivers()) {
      if (t.direction === "recvonly" || t.direction === "inactive") t.setDirection("sendrecv");
      if (t.kind === "video" && !this.video) this.adoptVideo(t);
      if (t.kind === "audio" && !this.audio) this.adoptAudio(t);
    }
  }

  /** werift announces remote tracks during setRemoteDescription, so we take the receiver's track. */
  private adoptVideo(t: RTCRtpTransceiver): void {
    this.video = t;
    t.receiver.track.onReceiveRtp.subscribe((rtp) => {
      if (this.videoSsrc === undefined) {
        this.videoSsrc = rtp.header.ssrc;
        this.requestKeyframe();
      }
      for (const listener of this.onVideo) listener(rtp);
    });
    t.sender.onPictureLossIndication.subscribe(() => {
      for (const listener of this.onKeyframeRequest) listener();
    });
  }

  private adoptAudio(t: RTCRtpTransceiver): void {
    this.audio = t;
    t.receiver.track.onReceiveRtp.subscribe((rtp) => {
      for (const listener of this.onAudio) listener(rtp);
    });
  }
}

function checkSdp(
  sdp: string,
  type: "SDP_END_POINT_PROCESS_OFFER_ERROR" | "SDP_END_POINT_PROCESS_ANSWER_ERROR",
) {
  if (!sdp.startsWith("v=0") || !/\r?\nm=(video|audio) /.test(sdp)) {
    throw new RpcError(
      "SDP_PARSE_ERROR",
      "the SDP is not a session description with audio or video (must start with v=0)",
    );
  }
  if (!/\r?\nm=video /.test(sdp)) throw new RpcError(type, "the SDP has no video media section");
}

function sdpError(
  type: "SDP_END_POINT_PROCESS_OFFER_ERROR" | "SDP_END_POINT_PROCESS_ANSWER_ERROR",
  e: unknown,
): never {
  const reason = e instanceof Error ? e.message.slice(0, 200) : "invalid SDP";
  throw new RpcError(type, `the SDP was refused: ${reason}`);
}
