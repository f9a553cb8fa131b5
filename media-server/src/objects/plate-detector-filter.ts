import { mkdtempSync, rmSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { element } from "../media/gst-element.js";
import { PlateOcr } from "../media/plate-ocr.js";
import {
  type Box,
  choosePlateBox,
  cleanPlateText,
  cropToPgm,
  PlateThrottle,
} from "../media/plate-reading.js";
import { FILTER_EVENTS, Filter, parseFaces } from "./filters.js";
import { numberParam } from "./media-object.js";

// Debian's opencv-data; of its two plate cascades this one finds plain rectangular plates.
const PLATE_CASCADE = "/usr/share/opencv4/haarcascades/haarcascade_russian_plate_number.xml";
/** Frames the detector looks at per second: plates stay in view for many frames. */
const DETECT_FPS = 4;
/** Width the detector and the OCR see; height follows the picture's aspect ratio. */
const ANALYSIS_WIDTH = 640;
const REPORT_INTERVAL_MS = 5000;

const timestampOf = (text: string) => /timestamp=\(guint64\)(\d+)/.exec(text)?.[1];

/**
 * Kurento's PlateDetectorFilter (module platedetector): `setPlateWidthPercentage`, and
 * `PlateDetected {plate}` when a plate is read. GStreamer's facedetect runs the Haar plate cascade
 * on a leaky side branch (4 fps) and writes the same frames, grey, to a private folder; the
 * boxes and the frame meet here by their timestamp, and tesseract reads the crop in a child
 * process, so neither the detection nor the OCR ever holds the video up.
 */
export class PlateDetectorFilter extends Filter {
  readonly type = "PlateDetectorFilter";
  override readonly module = "platedetector";
  override readonly events = [...FILTER_EVENTS, "PlateDetected"];
  private readonly frameDir = mkdtempSync(path.join(tmpdir(), "plates-"));
  private plateWidthFraction = 0.3;
  private boxes: { timestamp: string; boxes: Box[] } | undefined;
  private readonly throttle = new PlateThrottle(REPORT_INTERVAL_MS);
  private readonly ocr = new PlateOcr((text) => this.read(text));

  constructor(...args: ConstructorParameters<typeof Filter>) {
    super(...args);
    // Kurento's range: the plate's expected width as a fraction [0..1] of the picture's.
    this.operation("setPlateWidthPercentage", (p) => {
      this.plateWidthFraction = numberParam(p, "plateWidthPercentage", 0, 1);
    });
  }

  gstElements(name: string) {
    const caps = (value: string) => element("capsfilter", { caps: value });
    return {
      name,
      inline: [],
      analysisFps: DETECT_FPS,
      analysis: [
        element("videoscale"),
        element("videoconvert"),
        caps(`video/x-raw,format=RGB,width=${ANALYSIS_WIDTH},pixel-aspect-ratio=1/1`),
        element("facedetect", {
          name: `${name}_plates`,
          profile: PLATE_CASCADE,
          display: false,
          "min-size-width": 60,
          "min-size-height": 15,
          "scale-factor": 1.1,
        }),
        element("videoconvert"),
        caps("video/x-raw,format=GRAY8"),
      ],
      analysisSink: element("multifilesink", {
        name: `${name}_frames`,
        location: path.join(this.frameDir, "f-%05d.gray"),
        "max-files": 8,
        "post-messages": true,
        sync: false,
        async: false,
      }),
    };
  }

  override onGstMessage(structure: string, text: string): void {
    const timestamp = timestampOf(text);
    if (timestamp === undefined) return;
    if (structure === "facedetect") {
      this.boxes = { timestamp, boxes: parseFaces(text) };
    } else if (structure === "GstMultiFileSink" && this.boxes?.timestamp === timestamp) {
      const file = /filename=\(string\)([^,;]+)/.exec(text)?.[1];
      // Only our own folder is read, whatever the line says.
      if (file && path.dirname(file) === this.frameDir && this.boxes.boxes.length > 0 && this.ocr.idle) {
        void this.crop(file, this.boxes.boxes);
      }
    }
  }

  override async release(): Promise<void> {
    this.ocr.stop();
    // The folder goes once the GStreamer process that writes into it has been replaced or stopped:
    // a multifilesink without its folder fails, and that would restart the pipeline's process.
    await this.pipe.settled();
    rmSync(this.frameDir, { recursive: true, force: true });
    await super.release();
  }

  private async crop(file: string, boxes: Box[]): Promise<void> {
    const frame = await readFile(file).catch(() => undefined); // already rotated away: skip it
    if (!frame || frame.length % ANALYSIS_WIDTH !== 0) return;
    const size = { width: ANALYSIS_WIDTH, height: frame.length / ANALYSIS_WIDTH };
    const box = choosePlateBox(boxes, size, this.plateWidthFraction);
    if (box) this.ocr.offer(cropToPgm(frame, ANALYSIS_WIDTH, box));
  }

  private read(text: string): void {
    const plate = cleanPlateText(text);
    if (plate && this.throttle.shouldReport(plate, Date.now())) this.emit("PlateDetected", { plate });
  }
}
