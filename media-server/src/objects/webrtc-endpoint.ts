import type { RtpPacket } from "werift";
import type { WebRtcPeer } from "../media/webrtc-peer.js";
import { RpcError } from "../protocol/errors.js";
import { type ElementLookup, MediaElement } from "./media-element.js";
import { type EventSink, type MediaObject, stringParam } from "./media-object.js";

type Pipeline = MediaObject & ElementLookup & { createPeer(endpoint: WebRtcEndpoint): WebRtcPeer };

const FLOW_TIMEOUT_MS = 2000;

/**
 * Kurento's WebRtcEndpoint: SDP negotiation and ICE go to a werift peer (media/webrtc-peer.ts);
 * this class keeps Kurento's state and events (IceCandidateFound only after gatherCandidates, media
 * flow in/out, connection state) and offers the pipeline the peer's RTP.
 */
export class WebRtcEndpoint extends MediaElement {
  readonly type = "WebRtcEndpoint";
  readonly kind = "endpoint";
  readonly hierarchy = [
    "kurento.BaseRtpEndpoint",
    "kurento.SdpEndpoint",
    "kurento.SessionEndpoint",
    "kurento.Endpoint",
    "kurento.MediaElement",
    "kurento.MediaObject",
  ];
  readonly events = [
    "Error",
    "IceCandidateFound",
    "IceGatheringDone",
    "IceComponentStateChanged",
    "NewCandidatePairSelected",
    "MediaFlowInStateChanged",
    "MediaFlowOutStateChanged",
    "ConnectionStateChanged",
    "MediaStateChanged",
  ];
  readonly peer: WebRtcPeer;
  private gatheringRequested = false;
  private readonly pendingCandidates: Array<{ candidate: string; sdpMid: string; sdpMLineIndex: number }> =
    [];
  private gatheringDone = false;
  private lastIn = 0;
  private lastOut = 0;
  private flowingIn = false;
  private flowingOut = false;
  private readonly flowTimer: NodeJS.Timeout;
  private stunServerAddress = "";
  private stunServerPort = 3478;
  private turnUrl = "";

  constructor(pipeline: Pipeline, raise: EventSink) {
    super("WebRtcEndpoint", pipeline, raise);
    this.peer = pipeline.createPeer(this);
    this.peer.onLocalCandidate = (c) => this.localCandidate(c);
    this.peer.onGatheringDone = () => this.localGatheringDone();
    this.peer.onIceState = (state) =>
      this.emit("IceComponentStateChanged", { state, streamId: 1, componentId: 1 });
    this.peer.onConnectionState = (oldState, newState) =>
      this.emit("ConnectionStateChanged", { oldState, newState });
    this.peer.onVideo.push(() => this.markIn());
    this.flowTimer = setInterval(() => this.checkFlow(), 500);
    this.flowTimer.unref();

    this.operation("processOffer", (p) => this.peer.processOffer(stringParam(p, "offer", 64 * 1024)));
    this.operation("generateOffer", () => this.peer.generateOffer());
    this.operation("processAnswer", (p) => this.peer.processAnswer(stringParam(p, "answer", 64 * 1024)));
    this.operation("getLocalSessionDescriptor", () => this.peer.localSdp() ?? "");
    this.operation("getRemoteSessionDescriptor", () => this.peer.remoteSdp() ?? "");
    this.operation("gatherCandidates", () => this.gatherCandidates());
    this.operation("addIceCandidate", (p) => this.peer.addIceCandidate(candidateParam(p.candidate)));
    this.operation("getConnectionState", () => this.peer.kurentoConnectionState());
    this.operation("getIceConnectionState", () => []);
    this.operation("getStunServerAddress", () => this.stunServerAddress);
    this.operation("setStunServerAddress", (p) => {
      this.stunServerAddress = stringParam(p, "stunServerAddress", 255);
    });
    this.operation("getStunServerPort", () => this.stunServerPort);
    this.operation("setStunServerPort", (p) => {
      this.stunServerPort = Number(p.stunServerPort) || 3478;
    });
    this.operation("getTurnUrl", () => this.turnUrl);
    this.operation("setTurnUrl", (p) => {
      this.turnUrl = stringParam(p, "turnUrl", 500);
    });
  }

  /** RTP from this endpoint's browser is about to be sent on by the pipeline. */
  sendVideo(packet: RtpPacket): void {
    this.peer.sendVideo(packet);
    this.markOut();
  }

  override isFlowingIn(): boolean {
    return this.flowingIn;
  }

  override isFlowingOut(): boolean {
    return this.flowingOut;
  }

  private gatherCandidates(): void {
    this.gatheringRequested = true;
    for (const c of this.pendingCandidates.splice(0)) this.emitCandidate(c);
    if (this.gatheringDone) this.emit("IceGatheringDone", {});
  }

  private localCandidate(c: { candidate: string; sdpMid: string; sdpMLineIndex: number }): void {
    if (this.gatheringRequested) this.emitCandidate(c);
    else this.pendingCandidates.push(c);
  }

  private localGatheringDone(): void {
    this.gatheringDone = true;
    if (this.gatheringRequested) this.emit("IceGatheringDone", {});
  }

  private emitCandidate(c: { candidate: string; sdpMid: string; sdpMLineIndex: number }): void {
    this.emit("IceCandidateFound", { candidate: { __module__: "kurento", __type__: "IceCandidate", ...c } });
  }

  private markIn(): void {
    this.lastIn = Date.now();
    if (!this.flowingIn) this.setFlowIn(true);
  }

  private markOut(): void {
    this.lastOut = Date.now();
    if (!this.flowingOut) this.setFlowOut(true);
  }

  private checkFlow(): void {
    const now = Date.now();
    if (this.flowingIn && now - this.lastIn > FLOW_TIMEOUT_MS) this.setFlowIn(false);
    if (this.flowingOut && now - this.lastOut > FLOW_TIMEOUT_MS) this.setFlowOut(false);
  }

  private setFlowIn(flowing: boolean): void {
    this.flowingIn = flowing;
    this.emit("MediaFlowInStateChanged", flowState(flowing));
  }

  private setFlowOut(flowing: boolean): void {
    this.flowingOut = flowing;
    this.emit("MediaFlowOutStateChanged", flowState(flowing));
  }

  override async release(): Promise<void> {
    if (this.released) return;
    await super.release();
    clearInterval(this.flowTimer);
    await this.peer.close();
  }
}

const flowState = (flowing: boolean) => ({
  state: flowing ? "FLOWING" : "NOT_FLOWING",
  padName: "default",
  mediaType: "VIDEO",
});

function candidateParam(value: unknown): {
  candidate: string;
  sdpMid: string | undefined;
  sdpMLineIndex: number | undefined;
} {
  if (typeof value !== "object" || value === null) {
    throw new RpcError("MEDIA_OBJECT_ILLEGAL_PARAM_ERROR", "'candidate' must be an IceCandidate object");
  }
  const c = value as Record<string, unknown>;
  if (typeof c.candidate !== "string" || c.candidate.length > 1000) {
    throw new RpcError("MEDIA_OBJECT_ILLEGAL_PARAM_ERROR", "'candidate.candidate' must be a string");
  }
  if (c.sdpMid !== undefined && typeof c.sdpMid !== "string") {
    throw new RpcError("MEDIA_OBJECT_ILLEGAL_PARAM_ERROR", "'candidate.sdpMid' must be a string");
  }
  if (
    c.sdpMLineIndex !== undefined &&
    (typeof c.sdpMLineIndex !== "number" || !Number.isInteger(c.sdpMLineIndex))
  ) {
    throw new RpcError("MEDIA_OBJECT_ILLEGAL_PARAM_ERROR", "'candidate.sdpMLineIndex' must be an integer");
  }
  return {
    candidate: c.candidate,
    sdpMid: c.sdpMid as string | undefined,
    sdpMLineIndex: c.sdpMLineIndex as number | undefined,
  };
}
