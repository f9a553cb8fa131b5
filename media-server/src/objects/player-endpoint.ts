import type { ChildProcess } from "node:child_process";
import type { RtpPacket } from "werift";
import { playerArgv } from "../media/recording-argv.js";
import { RtpPort } from "../media/rtp-port.js";
import { runCommand, spawnMediaProcess } from "../media/run-command.js";
import { illegalParam } from "../protocol/errors.js";
import { checkPlayerUri, openPlayerSource, type RecordingContext } from "../recording/recording-context.js";
import {
  type PlayerAction,
  playerTransition,
  type UriEndpointState,
} from "../recording/uri-endpoint-state.js";
import { type ElementLookup, MediaElement } from "./media-element.js";
import { type EventSink, type MediaObject, numberParam, stringParam } from "./media-object.js";
import { URI_ENDPOINT_HIERARCHY } from "./recorder-endpoint.js";

type Pipeline = MediaObject & ElementLookup & { recordings: RecordingContext; mediaReady(): Promise<void> };

interface SourceInfo {
  file: string;
  done(): Promise<void>;
  durationMs: number;
  vp8: boolean;
  audio: boolean;
}

/**
 * Kurento's PlayerEndpoint: a stored recording or an http(s) file (fetched with the API's SSRF
 * rules) played in real time into the pipeline by an ffmpeg process sending RTP to our ports.
 * gst-launch can't seek, so pause and setPosition end the process and start one at the position.
 */
export class PlayerEndpoint extends MediaElement {
  readonly type = "PlayerEndpoint";
  readonly kind = "endpoint";
  readonly hierarchy = URI_ENDPOINT_HIERARCHY;
  readonly events = ["Error", "EndOfStream", "UriEndpointStateChanged", "MediaFlowOutStateChanged"];
  readonly peer = new RtpPort();
  /** Filters fed by a file keep every frame (a live camera's may drop late ones). */
  readonly paced = true;
  readonly uri: string;
  private readonly useEncodedMedia: boolean;
  private state: UriEndpointState = "STOP";
  private media: Promise<SourceInfo> | undefined;
  private ports: { videoPort: number; audioPort: number } | undefined;
  private child: ChildProcess | undefined;
  private positionMs = 0;
  private startedAt = 0;

  constructor(
    private readonly pipe: Pipeline,
    raise: EventSink,
    params: Record<string, unknown>,
  ) {
    super("PlayerEndpoint", pipe, raise);
    this.uri = stringParam(params, "uri", 2000);
    checkPlayerUri(pipe.recordings, this.uri);
    if (params.useEncodedMedia !== undefined && typeof params.useEncodedMedia !== "boolean")
      throw illegalParam("'useEncodedMedia' must be true or false");
    // Kurento's networkCache is for RTSP jitter; files need none, so it is checked and kept only.
    if (params.networkCache !== undefined) numberParam(params, "networkCache", 0, 60_000);
    this.useEncodedMedia = params.useEncodedMedia === true;
    this.operation("getUri", () => this.uri);
    this.operation("getState", () => this.state);
    this.operation("play", () => this.play());
    this.operation("pause", () => this.pause());
    this.operation("stop", () => this.stop());
    this.operation("getPosition", () => Math.round(this.position()));
    this.operation("setPosition", (p) => this.setPosition(p.position));
    this.operation("getVideoInfo", () => this.videoInfo());
  }

  /** Whether what it plays has audio (a recorder downstream then records a track for it). */
  async hasAudio(): Promise<boolean> {
    return (await this.open()).audio;
  }

  /** A player is only a source: nothing is sent to it. */
  sendVideo(_packet: RtpPacket): void {}

  private async play(): Promise<void> {
    this.move("play");
    const source = await this.open();
    if (this.positionMs >= source.durationMs) this.positionMs = 0;
    // The filters' process must listen before the first keyframe is sent, or it is lost.
    await this.pipe.mediaReady();
    this.ports ??= await this.peer.receive();
    // Paused, stopped or released while we waited: nothing to start.
    if (this.state === "START" && !this.child && !this.released) this.spawn(source, this.ports);
  }

  private pause(): void {
    this.move("pause");
    this.positionMs = this.position();
    this.kill();
  }

  private stop(): void {
    this.move("stop");
    this.positionMs = 0;
    this.kill();
  }

  private async setPosition(value: unknown): Promise<void> {
    const source = await this.open();
    this.positionMs = numberParam({ position: value }, "position", 0, source.durationMs);
    if (this.child && this.ports) {
      this.kill();
      this.spawn(source, this.ports);
    }
  }

  private async videoInfo() {
    const source = await this.open();
    return {
      __module__: "kurento",
      __type__: "VideoInfo",
      isSeekable: true,
      seekableInit: 0,
      seekableEnd: source.durationMs,
      duration: source.durationMs,
    };
  }

  private position(): number {
    if (!this.child) return this.positionMs;
    return this.positionMs + (Date.now() - this.startedAt);
  }

  /** The local file and what ffprobe says of it, once per player. */
  private open(): Promise<SourceInfo> {
    this.media ??= (async () => {
      const opened = await openPlayerSource(this.pipe.recordings, this.uri);
      try {
        const probe = JSON.parse(
          await runCommand("ffprobe", [
            "-v",
            "error",
            "-show_entries",
            "format=duration:stream=codec_type,codec_name",
            "-of",
            "json",
            opened.file,
          ]),
        ) as {
          format?: { duration?: string };
          streams?: Array<{ codec_type?: string; codec_name?: string }>;
        };
        const video = probe.streams?.find((s) => s.codec_type === "video");
        if (!video) throw illegalParam(`${this.uri.slice(0, 200)} has no video stream`);
        return {
          ...opened,
          durationMs: Math.round(Number(probe.format?.duration ?? 0) * 1000),
          vp8: video.codec_name === "vp8",
          audio: probe.streams?.some((s) => s.codec_type === "audio") ?? false,
        };
      } catch (error) {
        await opened.done();
        throw error instanceof Error && "code" in error
          ? error
          : illegalParam(`${this.uri.slice(0, 200)} is not a playable media file`);
      }
    })();
    // A failed open may be retried (a URL that was down), so it is not cached.
    this.media.catch(() => {
      this.media = undefined;
    });
    return this.media;
  }

  private spawn(source: SourceInfo, ports: { videoPort: number; audioPort: number }): void {
    const child = spawnMediaProcess(
      "ffmpeg",
      playerArgv({
        file: source.file,
        positionMs: this.positionMs,
        copyVideo: source.vp8 || this.useEncodedMedia,
        videoPort: ports.videoPort,
        audioPort: source.audio ? ports.audioPort : undefined,
      }),
    );
    this.child = child;
    this.startedAt = Date.now();
    child.on("exit", (code) => this.exited(child, code));
    child.on("error", () => this.exited(child, -1));
  }

  private exited(child: ChildProcess, code: number | null): void {
    if (this.child !== child) return; // ended by us (pause, stop, seek, release)
    this.child = undefined;
    if (code !== 0) {
      this.state = "STOP";
      this.emit("Error", {
        description: `playing ${this.uri.slice(0, 200)} failed`,
        errorCode: 40000,
        type: "MEDIA_ERROR",
      });
      return;
    }
    this.move("endOfStream");
    this.positionMs = 0;
    // Recorders first, so one stopped on this event knows its last frames are still coming.
    for (const element of downstream(this)) element.endOfStream?.();
    this.emit("EndOfStream", {});
  }

  private kill(): void {
    const child = this.child;
    this.child = undefined;
    child?.kill("SIGKILL");
  }

  private move(action: PlayerAction): void {
    const result = playerTransition(this.state, action);
    if ("refused" in result) throw illegalParam(result.refused);
    this.state = result.next;
  }

  override async release(): Promise<void> {
    if (this.released) return;
    this.kill();
    await super.release();
    this.peer.close();
    const source = await this.media?.catch(() => undefined);
    await source?.done();
  }
}

/** Elements this one feeds, through filters: a recorder among them may stop on our end of stream. */
function downstream(from: MediaElement): Array<MediaElement & { endOfStream?: () => void }> {
  const seen = new Set<MediaElement>();
  const queue = [...from.sinks];
  while (queue.length > 0) {
    const next = queue.shift()!;
    if (seen.has(next)) continue;
    seen.add(next);
    if (next.kind === "filter") queue.push(...next.sinks);
  }
  return [...seen];
}
