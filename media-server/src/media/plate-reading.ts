// The pure parts of the plate detector: which detected box to read, how to crop it for the OCR,
// what of the OCR's text is a plate, and how often the same plate is reported.

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * The box to read, or undefined. Haar plate cascades report several overlapping boxes around one
 * plate, each cutting a different edge off, so overlapping boxes are merged first; boxes much
 * narrower than the expected plate width (Kurento's plateWidthPercentage, a fraction of the frame
 * width) are noise. The merged box is padded a little: the OCR needs the first and last character
 * whole.
 */
export function choosePlateBox(
  boxes: Box[],
  frame: { width: number; height: number },
  widthFraction: number,
): Box | undefined {
  const minWidth = frame.width * widthFraction * 0.5;
  const best = mergeOverlapping(boxes)
    .filter((b) => b.width >= minWidth && b.width > b.height)
    .sort((a, b) => b.width * b.height - a.width * a.height)[0];
  return best ? pad(best, frame) : undefined;
}

function mergeOverlapping(boxes: Box[]): Box[] {
  const merged: Box[] = [];
  for (const box of boxes) {
    let current = box;
    for (let i = merged.length - 1; i >= 0; i--) {
      if (overlaps(merged[i]!, current)) current = union(merged.splice(i, 1)[0]!, current);
    }
    merged.push(current);
  }
  return merged;
}

const overlaps = (a: Box, b: Box) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

function union(a: Box, b: Box): Box {
  const x = Math.min(a.x, b.x);
  const y = Math.min(a.y, b.y);
  return {
    x,
    y,
    width: Math.max(a.x + a.width, b.x + b.width) - x,
    height: Math.max(a.y + a.height, b.y + b.height) - y,
  };
}

function pad(b: Box, frame: { width: number; height: number }): Box {
  const dx = Math.round(b.width * 0.04);
  const dy = Math.round(b.height * 0.08);
  const x = Math.max(0, b.x - dx);
  const y = Math.max(0, b.y - dy);
  return {
    x,
    y,
    width: Math.min(frame.width, b.x + b.width + dx) - x,
    height: Math.min(frame.height, b.y + b.height + dy) - y,
  };
}

/**
 * The box cut out of a GRAY8 frame (one byte per pixel, rows `width` bytes apart) as a binary PGM,
 * which tesseract (leptonica) reads from stdin without any image library on our side.
 */
export function cropToPgm(frame: Buffer, frameWidth: number, box: Box): Buffer {
  const header = Buffer.from(`P5\n${box.width} ${box.height}\n255\n`, "ascii");
  const rows = [];
  for (let row = box.y; row < box.y + box.height; row++) {
    const start = row * frameWidth + box.x;
    rows.push(frame.subarray(start, start + box.width));
  }
  return Buffer.concat([header, ...rows]);
}

/** Plates are 4 to 10 letters and digits with at least one digit (tesseract sees "I" in a border). */
export function cleanPlateText(raw: string): string | undefined {
  const tokens = raw
    .toUpperCase()
    .split(/\s+/)
    .map((t) => t.replace(/[^A-Z0-9]/g, ""))
    .filter((t) => t.length >= 4 && t.length <= 10 && /\d/.test(t));
  return tokens.sort((a, b) => b.length - a.length)[0];
}

/** The same plate is reported at most once per `intervalMs` (a parked car is one event, not 4 a second). */
export class PlateThrottle {
  private readonly lastReported = new Map<string, number>();

  constructor(private readonly intervalMs: number) {}

  shouldReport(plate: string, nowMs: number): boolean {
    const last = this.lastReported.get(plate);
    if (last !== undefined && nowMs - last < this.intervalMs) return false;
    // Bounded: only plates seen within the interval matter.
    for (const [p, t] of this.lastReported) if (nowMs - t >= this.intervalMs) this.lastReported.delete(p);
    this.lastReported.set(plate, nowMs);
    return true;
  }
}
