import { RpcError } from "../protocol/errors.js";
import { type EventSink, MediaObject, type OperationParams } from "./media-object.js";

/** Looks an element up by id within the same pipeline (the pipeline provides it). */
export interface ElementLookup {
  element(id: string): MediaElement | undefined;
  topologyChanged(): void;
  /** Average time the pipeline's GStreamer process adds, in ns (undefined: none runs). */
  processingLatencyNs(): number | undefined;
}

/**
 * A node of the media graph. Like Kurento, an element has at most one source (a new connect
 * replaces the old one) and any number of sinks.
 */
export abstract class MediaElement extends MediaObject {
  abstract readonly kind: "endpoint" | "filter";
  source: MediaElement | undefined;
  readonly sinks = new Set<MediaElement>();

  protected constructor(
    idSuffix: string,
    protected readonly pipeline: MediaObject & ElementLookup,
    raise: EventSink,
  ) {
    super(idSuffix, pipeline, raise);
    this.operation("getMediaPipeline", () => pipeline.id);
    this.operation("connect", (p) => this.connect(this.sinkParam(p)));
    this.operation("disconnect", (p) => this.disconnect(this.sinkParam(p)));
    this.operation("getSinkConnections", () => [...this.sinks].map((s) => this.connection(this, s)));
    this.operation("getSourceConnections", () => (this.source ? [this.connection(this.source, this)] : []));
    this.operation("isMediaFlowingIn", () => this.isFlowingIn());
    this.operation("isMediaFlowingOut", () => this.isFlowingOut());
    this.operation("getGstreamerDot", () => pipeline.invoke("getGstreamerDot", {}));
    this.operation("getStats", () => this.stats());
    // Accepted for compatibility; the encoder's bitrate is fixed by the pipeline.
    for (const setter of [
      "setMinOutputBitrate",
      "setMaxOutputBitrate",
      "setMinEncoderBitrate",
      "setMaxEncoderBitrate",
    ]) {
      this.operation(setter, () => undefined);
    }
  }

  connect(sink: MediaElement): void {
    if (sink.source === this) return;
    sink.source?.sinks.delete(sink);
    sink.source = this;
    this.sinks.add(sink);
    this.pipeline.topologyChanged();
  }

  disconnect(sink: MediaElement): void {
    if (sink.source !== this) return;
    sink.source = undefined;
    this.sinks.delete(sink);
    this.pipeline.topologyChanged();
  }

  isFlowingIn(): boolean {
    return false;
  }

  isFlowingOut(): boolean {
    return false;
  }

  detach(): void {
    this.source?.sinks.delete(this);
    this.source = undefined;
    for (const sink of this.sinks) sink.source = undefined;
    this.sinks.clear();
  }

  /**
   * Kurento's ElementStats; `inputLatency` (ns, like Kurento's latency stats) is the time the
   * pipeline's GStreamer process adds between receiving a frame and sending it on.
   */
  private stats(): Record<string, unknown> {
    const now = Date.now();
    const latency = this.pipeline.processingLatencyNs();
    return {
      [this.id]: {
        __module__: "kurento",
        __type__: "ElementStats",
        id: this.id,
        type: "element",
        timestamp: Math.floor(now / 1000),
        timestampMillis: now,
        inputAudioLatency: 0,
        inputVideoLatency: latency ?? 0,
        inputLatency:
          latency === undefined ? [] : [{ name: "video", type: "VIDEO", avg: Math.round(latency) }],
      },
    };
  }

  private sinkParam(params: OperationParams): MediaElement {
    const id = params.sink;
    if (typeof id !== "string")
      throw new RpcError("MEDIA_OBJECT_ILLEGAL_PARAM_ERROR", "'sink' must be an object id");
    const sink = this.pipeline.element(id);
    if (!sink) {
      throw new RpcError(
        "MEDIA_OBJECT_NOT_FOUND",
        `sink '${id}' is not an element of this element's pipeline`,
      );
    }
    return sink;
  }

  private connection(source: MediaElement, sink: MediaElement) {
    return {
      source: source.id,
      sink: sink.id,
      type: "VIDEO",
      sourceDescription: "default",
      sinkDescription: "default",
    };
  }
}
