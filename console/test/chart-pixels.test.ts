import { describe, expect, it } from "vitest";
import { type Pixels, readChart } from "./chart-pixels.js";

// The browser test's canvas reader on painted-by-hand pixels: what it finds, and nothing on a blank canvas.

function canvas(
  width: number,
  height: number,
): Pixels & { paint(x: number, y: number, rgb: number[]): void } {
  const rgba = new Uint8Array(width * height * 4);
  return {
    width,
    height,
    rgba,
    paint: (x, y, rgb) => rgba.set([...rgb, 255], (y * width + x) * 4),
  };
}

describe("readChart", () => {
  it("finds the dashed red threshold row, the grey axis row and the centre of the series' symbol", () => {
    const c = canvas(100, 50);
    for (let x = 0; x < 100; x++) {
      c.paint(x, 40, [110, 112, 121]);
      if (x % 4 < 2) c.paint(x, 20, [217, 21, 21]);
      c.paint(x, 5, [224, 230, 241]); // a light split line is not the axis
    }
    for (let x = 94; x <= 96; x++) for (let y = 9; y <= 11; y++) c.paint(x, y, [80, 112, 221]);
    expect(readChart(c)).toEqual({ thresholdY: 20, axisY: 40, series: { x: 95, y: 10, pixels: 9 } });
  });

  it("finds nothing on a blank canvas, and no threshold in a few red pixels (a label)", () => {
    const c = canvas(100, 50);
    expect(readChart(c)).toEqual({ thresholdY: undefined, axisY: undefined, series: undefined });
    for (let x = 0; x < 10; x++) c.paint(x, 20, [217, 21, 21]);
    expect(readChart(c).thresholdY).toBeUndefined();
  });
});
