import { planRoutes } from "../media/route-planner.js";
import type { EndpointMedia } from "../media/route-runner.js";
import { RouteRunner } from "../media/route-runner.js";
import { type PeerSettings, WebRtcPeer } from "../media/webrtc-peer.js";
import { illegalParam } from "../protocol/errors.js";
import type { RecordingContext } from "../recording/recording-context.js";
import { Filter, type FilterContext } from "./filters.js";
import type { ElementLookup, MediaElement } from "./media-element.js";
import { type EventSink, MediaObject } from "./media-object.js";
import type { WebRtcEndpoint } from "./webrtc-endpoint.js";

export interface PipelineContext {
  peer: PeerSettings;
  filters: FilterContext;
  recordings: RecordingContext;
}

/**
 * Kurento's MediaPipeline: owns its elements, and its RouteRunner runs the media between them.
 * Topology changes are batched (a burst of connect calls rebuilds once), and release frees every
 * process, socket and port it holds.
 */
export class MediaPipeline extends MediaObject implements ElementLookup {
  readonly type = "MediaPipeline";
  readonly hierarchy = ["kurento.MediaObject"];
  readonly events = ["Error"];
  readonly elements = new Map<string, MediaElement>();
  private readonly runner: RouteRunner;
  private rebuild: Promise<void> = Promise.resolve();
  private rebuildQueued = false;
  private latencyStats = false;

  constructor(
    private readonly context: PipelineContext,
    raise: EventSink,
  ) {
    super("MediaPipeline", undefined, raise);
    this.runner = new RouteRunner((description) =>
      this.emit("Error", { description, errorCode: 40000, type: "GSTREAMER_PROCESS_FAILED" }),
    );
    this.operation("getGstreamerDot", () => this.dot());
    this.operation("getLatencyStats", () => this.latencyStats);
    this.operation("setLatencyStats", (p) => {
      if (typeof p.latencyStats !== "boolean") throw illegalParam("'latencyStats' must be true or false");
      if (p.latencyStats === this.latencyStats) return;
      this.latencyStats = p.latencyStats;
      this.runner.traceLatency = p.latencyStats;
      this.topologyChanged();
    });
  }

  get filterContext(): FilterContext {
    return this.context.filters;
  }

  get recordings(): RecordingContext {
    return this.context.recordings;
  }

  /** Resolves when the current topology runs (a player starts sending only then). */
  async mediaReady(): Promise<void> {
    await this.rebuild;
    await this.runner.ready(3000);
  }

  processingLatencyNs(): number | undefined {
    return this.runner.latencyNs();
  }

  createPeer(_endpoint: WebRtcEndpoint): WebRtcPeer {
    return new WebRtcPeer(this.context.peer);
  }

  add(element: MediaElement): void {
    this.elements.set(element.id, element);
  }

  element(id: string): MediaElement | undefined {
    return this.elements.get(id);
  }

  override children(): MediaObject[] {
    return [...this.elements.values()];
  }

  topologyChanged(): void {
    if (this.rebuildQueued || this.released) return;
    this.rebuildQueued = true;
    this.rebuild = this.rebuild.then(async () => {
      this.rebuildQueued = false;
      if (this.released) return;
      await this.runner.apply(this.routes()).catch((e: unknown) => {
        this.emit("Error", {
          description: `media could not start: ${String(e)}`,
          errorCode: 40000,
          type: "MEDIA_ERROR",
        });
      });
    });
  }

  /** Waits for pending topology changes to be applied (tests and release use it). */
  settled(): Promise<void> {
    return this.rebuild;
  }

  async releaseElement(element: MediaElement): Promise<void> {
    element.detach();
    this.elements.delete(element.id);
    this.topologyChanged();
    await element.release();
  }

  override async release(): Promise<void> {
    if (this.released) return;
    await super.release();
    await this.rebuild;
    await this.runner.release();
    for (const element of this.elements.values()) {
      element.detach();
      await element.release();
    }
    this.elements.clear();
  }

  private routes() {
    // Endpoints with RTP: WebRTC peers, and the players' and recorders' local processes.
    const endpointsAndFilters = [...this.elements.values()].filter(
      (e): e is (MediaElement & EndpointMedia) | Filter => "peer" in e || e instanceof Filter,
    );
    return planRoutes(endpointsAndFilters).map((r) => ({
      source: r.source as EndpointMedia,
      filters: r.filters as Filter[],
      sink: r.sink as EndpointMedia,
    }));
  }

  private dot(): string {
    const real = this.runner.dot();
    if (real) return real;
    // No GStreamer process runs (no filters): describe the direct RTP forwarding instead.
    const lines = [...this.elements.values()].flatMap((e) =>
      [...e.sinks].map((s) => `  "${e.type}_${short(e.id)}" -> "${s.type}_${short(s.id)}";`),
    );
    return `digraph pipeline {\n  label="${this.id} (direct RTP forwarding, no GStreamer process)";\n${lines.join("\n")}\n}\n`;
  }
}

const short = (id: string) => id.split("/").at(-1)?.slice(0, 8) ?? id;
