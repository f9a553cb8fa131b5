import { describe, expect, it } from "vitest";
import {
  blockRects,
  decodeStamp,
  type Painter,
  paintStamp,
  percentile,
  ringFractions,
  STAMP_HEIGHT,
  STAMP_WIDTH,
  stampAge,
} from "../../bench/stamp.js";

/** An RGBA frame that paintStamp draws into, as a canvas would. */
function frame(): { rgba: Uint8ClampedArray; painter: Painter } {
  const rgba = new Uint8ClampedArray(STAMP_WIDTH * STAMP_HEIGHT * 4);
  const painter = {
    fillStyle: "#000" as unknown,
    fillRect(x: number, y: number, w: number, h: number) {
      const v = painter.fillStyle === "#fff" ? 255 : 0;
      for (let row = y; row < y + h; row++)
        rgba.fill(v, (row * STAMP_WIDTH + x) * 4, (row * STAMP_WIDTH + x + w) * 4);
    },
  };
  return { rgba, painter };
}

/** What an edge detector leaves of a frame: white where a pixel differs from its right or lower neighbour. */
function edges(rgba: Uint8ClampedArray): Uint8ClampedArray {
  const out = new Uint8ClampedArray(rgba.length);
  for (let y = 0; y < STAMP_HEIGHT - 1; y++) {
    for (let x = 0; x < STAMP_WIDTH - 1; x++) {
      const i = (y * STAMP_WIDTH + x) * 4;
      const edge = rgba[i] !== rgba[i + 4] || rgba[i] !== rgba[i + STAMP_WIDTH * 4];
      if (edge) out.fill(255, i, i + 4);
    }
  }
  return out;
}

describe("stamp", () => {
  it("reads back the value it painted", () => {
    for (const value of [0, 1, 12_345, 0xabcdef, 0xffffff]) {
      const { rgba, painter } = frame();
      paintStamp(painter, value);
      expect(decodeStamp(ringFractions(rgba, STAMP_WIDTH))).toBe(value);
    }
  });

  it("reads it from the outlines an edge detector leaves of the blocks", () => {
    const { rgba, painter } = frame();
    paintStamp(painter, 987_654);
    expect(decodeStamp(ringFractions(edges(rgba), STAMP_WIDTH))).toBe(987_654);
  });

  it("wraps values to 24 bits and rounds them to whole ms", () => {
    const { rgba, painter } = frame();
    paintStamp(painter, 2 ** 24 + 41.6);
    expect(decodeStamp(ringFractions(rgba, STAMP_WIDTH))).toBe(42);
  });

  it("rejects a frame whose check bits disagree, and a frame with no stamp", () => {
    const { rgba, painter } = frame();
    paintStamp(painter, 5000);
    const fractions = ringFractions(rgba, STAMP_WIDTH);
    fractions[3] = fractions[3]! > 0.5 ? 0 : 1;
    expect(decodeStamp(fractions)).toBeUndefined();
    expect(decodeStamp(ringFractions(new Uint8ClampedArray(rgba.length), STAMP_WIDTH))).toBeUndefined();
  });

  it("keeps the blocks inside the frame, apart from each other", () => {
    const rects = blockRects();
    for (const r of rects) {
      expect(r.x - 4).toBeGreaterThanOrEqual(0);
      expect(r.y + r.height + 4).toBeLessThanOrEqual(STAMP_HEIGHT);
      expect(r.x + r.width + 4).toBeLessThanOrEqual(STAMP_WIDTH);
    }
    expect(rects[1]!.x - (rects[0]!.x + rects[0]!.width)).toBeGreaterThan(8);
  });

  it("measures the age across the 24-bit wrap", () => {
    expect(stampAge(1000.4, 960)).toBe(40);
    expect(stampAge(2 ** 24 + 10, 2 ** 24 - 30)).toBe(40);
  });
});

describe("percentile", () => {
  it("interpolates between closest ranks", () => {
    expect(percentile([3, 1, 2, 4], 50)).toBe(2.5);
    expect(percentile([10, 20, 30, 40, 50], 95)).toBeCloseTo(48);
    expect(percentile([7], 95)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });
});
