import { rm } from "node:fs/promises";
import type { RtpPacket } from "werift";
import { GstProcess } from "../media/gst-process.js";
import { recorderArgv, remuxArgv } from "../media/recording-argv.js";
import { freeLoopbackPorts, RtpPort } from "../media/rtp-port.js";
import { runCommand } from "../media/run-command.js";
import { illegalParam } from "../protocol/errors.js";
import type { RecordingContext } from "../recording/recording-context.js";
import { ensureParent, type RecordingTarget } from "../recording/recording-store.js";
import {
  profileTracks,
  type RecorderAction,
  recorderEvent,
  recorderTransition,
  type UriEndpointState,
} from "../recording/uri-endpoint-state.js";
import { type ElementLookup, MediaElement } from "./media-element.js";
import { type EventSink, type MediaObject, stringParam } from "./media-object.js";
import { WebRtcEndpoint } from "./webrtc-endpoint.js";

type Pipeline = MediaObject & ElementLookup & { recordings: RecordingContext };

const START_TIMEOUT_MS = 5000;
const EOS_TIMEOUT_MS = 10_000;
/** On stop, media already on its way (in the filters' process) is waited for this long at most. */
const DRAIN_QUIET_MS = 500;
const DRAIN_MAX_MS = 2000;

export const URI_ENDPOINT_HIERARCHY = [
  "kurento.UriEndpoint",
  "kurento.Endpoint",
  "kurento.MediaElement",
  "kurento.MediaObject",
];

/**
 * Kurento's RecorderEndpoint: what reaches it is written to WebM (VP8, and Opus when audio flows)
 * by a gst-launch process of its own; stop sends EOS so the file is complete, then ffmpeg
 * `-c copy` puts the cues in front and timestamps from zero, and the store publishes the file.
 * Releasing the endpoint (or its pipeline or session, or SIGTERM's shutdown) finishes it the same way.
 */
export class RecorderEndpoint extends MediaElement {
  readonly type = "RecorderEndpoint";
  readonly kind = "endpoint";
  readonly hierarchy = URI_ENDPOINT_HIERARCHY;
  readonly events = [
    "Error",
    "Recording",
    "Paused",
    "Stopped",
    "UriEndpointStateChanged",
    "MediaFlowInStateChanged",
  ];
  readonly peer = new RtpPort();
  readonly uri: string;
  private readonly tracks: { video: boolean; audio: boolean };
  private readonly target: RecordingTarget;
  private readonly stopOnEndOfStream: boolean;
  private state: UriEndpointState = "STOP";
  private gst: GstProcess | undefined;
  private finished: Promise<void> | undefined;
  private lastPacket = 0;
  /** The player feeding us finished: what it sent last may still be in the filters' process. */
  private upstreamEnded = false;
  private starting: Promise<void> | undefined;
  private ports: RtpPort["target"];

  constructor(pipeline: Pipeline, raise: EventSink, params: Record<string, unknown>) {
    super("RecorderEndpoint", pipeline, raise);
    this.uri = stringParam(params, "uri", 2000);
    const tracks = profileTracks(params.mediaProfile);
    if ("refused" in tracks) throw illegalParam(tracks.refused);
    this.tracks = tracks;
    if (params.stopOnEndOfStream !== undefined && typeof params.stopOnEndOfStream !== "boolean") {
      throw illegalParam("'stopOnEndOfStream' must be true or false");
    }
    this.stopOnEndOfStream = params.stopOnEndOfStream === true;
    this.target = pipeline.recordings.store.target(this.uri);
    this.operation("getUri", () => this.uri);
    this.operation("getState", () => this.state);
    this.operation("record", () => this.record());
    this.operation("pause", () => this.pause());
    this.operation("stop", () => {
      void this.stop().catch(() => {});
    });
    this.operation("stopAndWait", () => this.stop());
  }

  /** What gst-launch writes; the remux turns it into the published file. */
  private get rawFile(): string {
    return `${this.target.file}.raw.webm`;
  }

  sendVideo(packet: RtpPacket): void {
    this.lastPacket = Date.now();
    if (this.state === "START") this.peer.sendVideo(packet);
  }

  /** The player feeding us reached its end (Kurento's stopOnEndOfStream). */
  endOfStream(): void {
    this.upstreamEnded = true;
    if (this.stopOnEndOfStream && this.state !== "STOP") void this.stop().catch(() => {});
  }

  private async record(): Promise<void> {
    this.move("record");
    // The first record() starts the process; a second one (or one after pause) shares that start.
    const resuming = this.starting !== undefined;
    this.starting ??= this.start();
    await this.starting;
    if (this.state !== "START") return; // paused or stopped while starting
    this.peer.target = this.ports;
    if (resuming) this.emit(recorderEvent.START);
  }

  private async start(): Promise<void> {
    const audio = this.tracks.audio && (!this.tracks.video || (await this.upstreamHasAudio()));
    const video = this.tracks.video;
    const [videoPort, audioPort] = await freeLoopbackPorts(2);
    const ports = { videoPort: video ? videoPort : undefined, audioPort: audio ? audioPort : undefined };
    await ensureParent(this.target.file);
    if (this.finished) return; // stopped or released meanwhile: nothing to start
    this.gst = new GstProcess(
      recorderArgv({ ...ports, file: this.rawFile }),
      () => {},
      (reason) =>
        this.emit("Error", {
          description: `recording failed: ${reason}`,
          errorCode: 40000,
          type: "MEDIA_ERROR",
        }),
    );
    this.gst.start();
    await Promise.race([this.gst.playing, new Promise((r) => setTimeout(r, START_TIMEOUT_MS).unref())]);
    this.ports = ports;
    if (this.state === "START") this.peer.target = ports;
    this.emit(recorderEvent.START);
  }

  /**
   * Whether the endpoint feeding us sends audio: WebM's muxer waits for every track it has, so a
   * track nobody fills would hold the video back. Asked at record() (a player knows from its file,
   * a WebRTC endpoint from its SDP).
   */
  private async upstreamHasAudio(): Promise<boolean> {
    let node = this.source;
    for (let hops = 0; node && node.kind === "filter" && hops < 100; hops++) node = node.source;
    const upstream = node as (MediaElement & { hasAudio?: () => Promise<boolean> }) | undefined;
    if (upstream?.hasAudio) return upstream.hasAudio();
    if (upstream instanceof WebRtcEndpoint) return /\nm=audio /.test(upstream.peer.remoteSdp() ?? "");
    return this.peer.audioSeen;
  }

  private pause(): void {
    this.move("pause");
    this.peer.target = undefined;
    this.emit(recorderEvent.PAUSE);
  }

  /** Finishes the recording once; every later call waits for the same end. */
  private stop(): Promise<void> {
    this.state = "STOP";
    this.finished ??= this.finish();
    return this.finished;
  }

  private async finish(): Promise<void> {
    await this.starting?.catch(() => {});
    const gst = this.gst;
    if (!gst) return;
    // A live source is cut where stop() was called; a player's last frames are waited for.
    if (this.upstreamEnded) await this.drain();
    this.peer.target = undefined;
    const raw = this.rawFile;
    await gst.finish(EOS_TIMEOUT_MS);
    try {
      await runCommand("ffmpeg", remuxArgv(raw, this.target.file));
      await this.target.publish();
      this.emit(recorderEvent.STOP);
    } catch (error) {
      this.emit("Error", {
        description: `recording could not be finished: ${String(error)}`,
        errorCode: 40000,
        type: "MEDIA_ERROR",
      });
    } finally {
      await rm(raw, { force: true });
    }
  }

  /** After a player's end, frames the filters still work on arrive within tens of ms: wait for quiet. */
  private async drain(): Promise<void> {
    const until = Date.now() + DRAIN_MAX_MS;
    while (Date.now() < until && Date.now() - this.lastPacket < DRAIN_QUIET_MS) {
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  private move(action: RecorderAction): void {
    const result = recorderTransition(this.state, action, {
      connected: this.source !== undefined,
      finished: this.finished !== undefined,
    });
    if ("refused" in result) throw illegalParam(result.refused);
    this.state = result.next;
  }

  override async release(): Promise<void> {
    if (this.released) return;
    // Finished before the object goes away, so its events still reach the client.
    await this.stop().catch(() => {});
    await super.release();
    this.peer.close();
  }
}
