import { element, type GstElement } from "../media/gst-element.js";
import type { FilterGst } from "../media/gst-pipeline.js";
import { parseGStreamerCommand } from "./gstreamer-filter-allowlist.js";
import { type ElementLookup, MediaElement } from "./media-element.js";
import { type EventSink, type MediaObject, numberParam, stringParam } from "./media-object.js";
import { resolveOverlayImage } from "./overlay-image.js";

export interface FilterContext {
  publicDir: string;
  overlayImageHosts: string[];
}

type Pipeline = MediaObject & ElementLookup & { filterContext: FilterContext; settled(): Promise<void> };

export const FILTER_EVENTS = ["Error", "MediaFlowInStateChanged", "MediaFlowOutStateChanged"];

/** A filter is a run of GStreamer elements between the decoder and the encoder. */
export abstract class Filter extends MediaElement {
  readonly kind = "filter";
  readonly hierarchy: readonly string[] = ["kurento.Filter", "kurento.MediaElement", "kurento.MediaObject"];
  readonly events: readonly string[] = FILTER_EVENTS;

  constructor(
    protected readonly pipe: Pipeline,
    raise: EventSink,
  ) {
    // Kurento's ids end in the concrete type, e.g. "..._kurento.ZBarFilter".
    super(new.target.name, pipe, raise);
  }

  /** Elements to run; `name` prefixes element names so bus messages find their way back here. */
  abstract gstElements(name: string): FilterGst;

  /** A bus message from one of our elements (gst-launch -m): structure name and its text. */
  onGstMessage(_structure: string, _text: string): void {}
}

const FACE_CASCADE = "/usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml";

export class EdgeDetectFilter extends Filter {
  readonly type = "EdgeDetectFilter";
  gstElements(name: string) {
    return {
      name,
      inline: [element("edgedetect", { name: `${name}_edge`, threshold1: 50, threshold2: 150, mask: false })],
    };
  }
}

/** The smallest face the detectors look for, in pixels, and the step between the window sizes they scan. */
const FACE_MIN_SIZE = 80;
const FACE_SCALE_FACTOR = 1.4;

export class FaceBlurFilter extends Filter {
  readonly type = "FaceBlurFilter";
  gstElements(name: string) {
    // faceblur detects on every frame, on the video path (gst-launch can't blur boxes found on a side
    // branch), so its detection is tuned as FaceOverlayFilter's: faces under 80 px are rare in a 640×480
    // webcam picture, and a coarser scale step scans fewer window sizes.
    const blur = element("faceblur", {
      name: `${name}_blur`,
      profile: FACE_CASCADE,
      "min-size-width": FACE_MIN_SIZE,
      "min-size-height": FACE_MIN_SIZE,
      "scale-factor": FACE_SCALE_FACTOR,
    });
    return { name, inline: [blur] };
  }
}

/** Face boxes in pixels, parsed from facedetect's bus message. */
export function parseFaces(text: string): Array<{ x: number; y: number; width: number; height: number }> {
  const faces = [];
  const pattern =
    /x\\?=\\?\(uint\\?\)(\d+).*?y\\?=\\?\(uint\\?\)(\d+).*?width\\?=\\?\(uint\\?\)(\d+).*?height\\?=\\?\(uint\\?\)(\d+)/g;
  for (const m of text.matchAll(pattern)) {
    faces.push({ x: Number(m[1]), y: Number(m[2]), width: Number(m[3]), height: Number(m[4]) });
  }
  return faces;
}

/** Frames a second face detection looks at: faces barely move in 100 ms, and each look costs ~5 ms of CPU. */
const FACE_DETECT_FPS = 10;

export class FaceOverlayFilter extends Filter {
  readonly type = "FaceOverlayFilter";
  override readonly events = [...FILTER_EVENTS, "FacesDetected"];
  private overlay: { file: string; x: number; y: number; width: number; height: number } | undefined;
  private lastFaceCount = -1;

  constructor(pipe: Pipeline, raise: EventSink) {
    super(pipe, raise);
    this.operation("setOverlayedImage", async (p) => {
      const file = await resolveOverlayImage(
        stringParam(p, "uri", 2000),
        pipe.filterContext.publicDir,
        pipe.filterContext.overlayImageHosts,
      );
      // Kurento's values are fractions of the face size; tutorials use e.g. -0.35, -1.2, 1.6, 1.6.
      this.overlay = {
        file,
        x: numberParam(p, "offsetXPercent", -10, 10),
        y: numberParam(p, "offsetYPercent", -10, 10),
        width: numberParam(p, "widthPercent", 0, 10),
        height: numberParam(p, "heightPercent", 0, 10),
      };
      pipe.topologyChanged();
    });
    this.operation("unsetOverlayedImage", () => {
      this.overlay = undefined;
      pipe.topologyChanged();
    });
  }

  gstElements(name: string) {
    const detect = element("facedetect", {
      name: `${name}_faces`,
      display: false,
      // Faces under 80 px are rare in a 640×480 webcam picture; skipping them makes detection ~3× cheaper.
      "min-size-width": FACE_MIN_SIZE,
      "min-size-height": FACE_MIN_SIZE,
      "scale-factor": FACE_SCALE_FACTOR,
    });
    // Detection only looks, so it runs on the side branch at FACE_DETECT_FPS whether or not an image
    // is drawn: the video never waits for it (inline, it added its time to every frame).
    const analysis = { analysis: [element("videoconvert"), detect], analysisFps: FACE_DETECT_FPS };
    // Without an image the video passes untouched (as in Kurento) and faces only raise events.
    if (!this.overlay) return { name, inline: [], ...analysis };
    // The overlay sits at a fixed place of the frame: gst-launch can't move it per face.
    const o = this.overlay;
    return {
      name,
      inline: [
        element("gdkpixbufoverlay", {
          name: `${name}_overlay`,
          location: o.file,
          "relative-x": clamp01(0.5 + o.x / 4),
          "relative-y": clamp01(0.4 + o.y / 4),
          "overlay-width": Math.round(160 * o.width),
          "overlay-height": Math.round(160 * o.height),
        }),
      ],
      ...analysis,
    };
  }

  override onGstMessage(structure: string, text: string): void {
    if (structure !== "facedetect") return;
    const faces = parseFaces(text);
    if (faces.length === 0 && this.lastFaceCount === 0) return;
    this.lastFaceCount = faces.length;
    this.emit("FacesDetected", { faces });
  }
}

const clamp01 = (v: number) => Math.round(Math.min(1, Math.max(0, v)) * 100) / 100;

export class ZBarFilter extends Filter {
  readonly type = "ZBarFilter";
  override readonly events = [...FILTER_EVENTS, "CodeFound"];
  private lastCode = "";

  gstElements(name: string) {
    return {
      name,
      inline: [],
      analysis: [element("videoconvert"), element("zbar", { name: `${name}_zbar`, cache: true })],
    };
  }

  override onGstMessage(structure: string, text: string): void {
    if (structure !== "barcode") return;
    const codeType = /type=\(string\)([^,;]+)/.exec(text)?.[1];
    const value = /symbol=\(string\)("(?:[^"\\]|\\.)*"|[^,;]*)/.exec(text)?.[1];
    if (codeType === undefined || value === undefined) return;
    const decoded = unescapeGstString(value);
    // Kurento raises CodeFound when the code changes, not on every frame.
    if (`${codeType}:${decoded}` === this.lastCode) return;
    this.lastCode = `${codeType}:${decoded}`;
    this.emit("CodeFound", { codeType, value: decoded });
  }
}

function unescapeGstString(value: string): string {
  const inner = value.startsWith('"') ? value.slice(1, -1) : value;
  return inner.replace(/\\(.)/g, "$1");
}

export class GStreamerFilter extends Filter {
  readonly type = "GStreamerFilter";
  readonly command: string;
  private readonly parsed: GstElement;

  constructor(pipe: Pipeline, raise: EventSink, command: unknown) {
    super(pipe, raise);
    this.command = stringParam({ command }, "command", 200);
    this.parsed = parseGStreamerCommand(this.command);
    this.operation("getCommand", () => this.command);
  }

  gstElements(name: string) {
    return { name, inline: [element(this.parsed.factory, { name: `${name}_gst`, ...this.parsed.props })] };
  }
}
