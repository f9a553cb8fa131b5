import { RpcError } from "../protocol/errors.js";
import {
  EdgeDetectFilter,
  FaceBlurFilter,
  FaceOverlayFilter,
  type Filter,
  GStreamerFilter,
  ZBarFilter,
} from "./filters.js";
import type { MediaElement } from "./media-element.js";
import type { EventSink, MediaObject } from "./media-object.js";
import { MediaPipeline, type PipelineContext } from "./media-pipeline.js";
import { PlateDetectorFilter } from "./plate-detector-filter.js";
import { PlayerEndpoint } from "./player-endpoint.js";
import { RecorderEndpoint } from "./recorder-endpoint.js";
import { ServerManager } from "./server-manager.js";
import { WebRtcEndpoint } from "./webrtc-endpoint.js";

type ElementFactory = (
  pipeline: MediaPipeline,
  raise: EventSink,
  params: Record<string, unknown>,
) => MediaElement;

const ELEMENTS: Record<string, ElementFactory> = {
  WebRtcEndpoint: (p, raise) => new WebRtcEndpoint(p, raise),
  FaceOverlayFilter: (p, raise) => new FaceOverlayFilter(p, raise),
  ZBarFilter: (p, raise) => new ZBarFilter(p, raise),
  EdgeDetectFilter: (p, raise) => new EdgeDetectFilter(p, raise),
  FaceBlurFilter: (p, raise) => new FaceBlurFilter(p, raise),
  PlateDetectorFilter: (p, raise) => new PlateDetectorFilter(p, raise),
  GStreamerFilter: (p, raise, params) => new GStreamerFilter(p, raise, params.command) as Filter,
  RecorderEndpoint: (p, raise, params) => new RecorderEndpoint(p, raise, params),
  PlayerEndpoint: (p, raise, params) => new PlayerEndpoint(p, raise, params),
};

export const supportedTypes = ["MediaPipeline", ...Object.keys(ELEMENTS)];

/** Every live media object by id; creation by Kurento type name. */
export class Registry {
  private readonly objects = new Map<string, MediaObject>();

  constructor(
    private readonly context: PipelineContext,
    private readonly raise: EventSink,
    facts: { version: string; sessionIds(): string[] },
  ) {
    const pipelineIds = () =>
      this.all()
        .filter((o) => o instanceof MediaPipeline)
        .map((o) => o.id);
    this.track(new ServerManager({ ...facts, pipelineIds, factories: supportedTypes }, raise));
  }

  get(id: string): MediaObject {
    const object = this.objects.get(id);
    if (!object) throw new RpcError("MEDIA_OBJECT_NOT_FOUND", `object '${id}' not found`);
    return object;
  }

  pipelineCount(): number {
    let n = 0;
    for (const o of this.objects.values()) if (o instanceof MediaPipeline) n++;
    return n;
  }

  create(type: string, params: Record<string, unknown>): MediaObject {
    if (type === "MediaPipeline") return this.track(new MediaPipeline(this.context, this.raise));
    const factory = ELEMENTS[type];
    if (!factory || !Object.hasOwn(ELEMENTS, type)) {
      throw new RpcError(
        "MEDIA_OBJECT_TYPE_NOT_FOUND",
        `type '${type}' is not supported (supported: ${supportedTypes.join(", ")})`,
      );
    }
    const pipelineId = params.mediaPipeline;
    if (typeof pipelineId !== "string") {
      throw new RpcError(
        "MEDIA_OBJECT_ILLEGAL_PARAM_ERROR",
        `${type} needs constructorParams.mediaPipeline (a MediaPipeline id)`,
      );
    }
    const pipeline = this.get(pipelineId);
    if (!(pipeline instanceof MediaPipeline)) {
      throw new RpcError("MEDIA_OBJECT_ILLEGAL_PARAM_ERROR", `'${pipelineId}' is not a MediaPipeline`);
    }
    const element = factory(pipeline, this.raise, params);
    pipeline.add(element);
    return this.track(element);
  }

  /** Releases the object and everything it owns; returns the ids that went away. */
  async release(object: MediaObject): Promise<string[]> {
    const gone = [object.id, ...object.children().map((c) => c.id)];
    for (const id of gone) this.objects.delete(id);
    if (object instanceof MediaPipeline) await object.release();
    else if (object.parent instanceof MediaPipeline)
      await object.parent.releaseElement(object as MediaElement);
    else await object.release();
    return gone;
  }

  all(): MediaObject[] {
    return [...this.objects.values()];
  }

  private track<T extends MediaObject>(object: T): T {
    this.objects.set(object.id, object);
    return object;
  }
}
