/**
 * A timestamp painted into video frames and read back after the trip through the server.
 *
 * The value is drawn as big white/black blocks on black, separated by black gaps, so it survives
 * VP8 and filters that rewrite pixels: an edge detector turns a filled block into its outline, so a
 * block reads as 1 when the ring along its border is bright, whether it is filled or outlined. Two
 * reference blocks (always 1, always 0) set the threshold per frame, and check bits reject frames
 * caught mid-change or smeared by the encoder.
 */

export const STAMP_WIDTH = 640;
export const STAMP_HEIGHT = 480;

const COLUMNS = 8;
const ROWS = 4;
const BLOCK = 64;
const GAP = 12;
/** Half the width of the ring sampled along each block's border (px). */
const RING = 4;
export const VALUE_BITS = 24;
const CHECK_BITS = 6;
const REFERENCE_BITS = 2;
const BLOCKS = COLUMNS * ROWS;

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The blocks' places in a 640×480 frame, centred. */
export function blockRects(): Rect[] {
  const x0 = Math.round((STAMP_WIDTH - (COLUMNS * BLOCK + (COLUMNS - 1) * GAP)) / 2);
  const y0 = Math.round((STAMP_HEIGHT - (ROWS * BLOCK + (ROWS - 1) * GAP)) / 2);
  const rects: Rect[] = [];
  for (let i = 0; i < BLOCKS; i++) {
    const col = i % COLUMNS;
    const row = Math.floor(i / COLUMNS);
    rects.push({ x: x0 + col * (BLOCK + GAP), y: y0 + row * (BLOCK + GAP), width: BLOCK, height: BLOCK });
  }
  return rects;
}

function checksum(value: number): number {
  return ((value & 0xff) + ((value >> 8) & 0xff) + ((value >> 16) & 0xff)) % (1 << CHECK_BITS);
}

/** The blocks for a value (ms, wrapped to 24 bits): reference 1, reference 0, value bits, check bits. */
export function stampBits(value: number): boolean[] {
  const v = Math.round(value) & ((1 << VALUE_BITS) - 1);
  const bits = [true, false];
  for (let b = 0; b < VALUE_BITS; b++) bits.push(((v >> b) & 1) === 1);
  const check = checksum(v);
  for (let b = 0; b < CHECK_BITS; b++) bits.push(((check >> b) & 1) === 1);
  return bits;
}

/** The part of a 2D canvas context painting needs (so it runs on a fake in unit tests). */
export interface Painter {
  fillStyle: unknown;
  fillRect(x: number, y: number, width: number, height: number): void;
}

export function paintStamp(ctx: Painter, value: number): void {
  ctx.fillStyle = "#000";
  ctx.fillRect(0, 0, STAMP_WIDTH, STAMP_HEIGHT);
  ctx.fillStyle = "#fff";
  const rects = blockRects();
  stampBits(value).forEach((bit, i) => {
    const r = rects[i]!;
    if (bit) ctx.fillRect(r.x, r.y, r.width, r.height);
  });
}

/** Per block, the share of bright pixels (luma > 128) in the ring along its border, from RGBA data. */
export function ringFractions(rgba: ArrayLike<number>, width: number): number[] {
  return blockRects().map((r) => {
    let bright = 0;
    let total = 0;
    for (let y = r.y - RING; y < r.y + r.height + RING; y++) {
      for (let x = r.x - RING; x < r.x + r.width + RING; x++) {
        const inner =
          x >= r.x + RING && x < r.x + r.width - RING && y >= r.y + RING && y < r.y + r.height - RING;
        if (inner) continue;
        const i = (y * width + x) * 4;
        const luma = 0.299 * rgba[i]! + 0.587 * rgba[i + 1]! + 0.114 * rgba[i + 2]!;
        total++;
        if (luma > 128) bright++;
      }
    }
    return bright / total;
  });
}

/** The value back from the blocks' ring fractions, or undefined when the frame does not check out. */
export function decodeStamp(fractions: readonly number[]): number | undefined {
  if (fractions.length !== BLOCKS) return undefined;
  const one = fractions[0]!;
  const zero = fractions[1]!;
  // Too little contrast between the references: no stamp in this frame (a keyframe still blurry).
  if (one - zero < 0.05) return undefined;
  const threshold = (one + zero) / 2;
  const bits = fractions.map((f) => f > threshold);
  let value = 0;
  for (let b = 0; b < VALUE_BITS; b++) if (bits[REFERENCE_BITS + b]) value |= 1 << b;
  let check = 0;
  for (let b = 0; b < CHECK_BITS; b++) if (bits[REFERENCE_BITS + VALUE_BITS + b]) check |= 1 << b;
  return check === checksum(value) ? value : undefined;
}

/** now - stamp in ms, with both on the page's clock and the stamp wrapped to 24 bits. */
export function stampAge(now: number, stamp: number): number {
  const wrap = 1 << VALUE_BITS;
  return (((Math.round(now) - stamp) % wrap) + wrap) % wrap;
}

/** The p-th percentile (0–100) by linear interpolation between closest ranks; NaN for no values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (rank - lo);
}
