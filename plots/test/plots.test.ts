import { Resvg } from "@resvg/resvg-js";
import { describe, expect, it } from "vitest";
import { roundUp } from "../src/charts.js";
import { barChart, histogram, lineChart, renderPng, renderSvg } from "../src/index.js";

const size = { width: 400, height: 240 };

function pngSize(png: Buffer) {
  // IHDR: width and height are the first two big-endian words after the 16-byte signature + chunk header.
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

/** How many pixels of a PNG are close to a colour (the series' line or bars). */
function pixelsNear(png: Buffer, [r, g, b]: readonly [number, number, number]): number {
  const image = new Resvg(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${size.width}" height="${size.height}"><image href="data:image/png;base64,${png.toString("base64")}" width="${size.width}" height="${size.height}"/></svg>`,
  ).render();
  const px = image.pixels;
  let n = 0;
  for (let i = 0; i < px.length; i += 4) {
    if (Math.abs(px[i]! - r) < 24 && Math.abs(px[i + 1]! - g) < 24 && Math.abs(px[i + 2]! - b) < 24) n++;
  }
  return n;
}

const red = [255, 0, 0] as const;

describe("plots", () => {
  const chart = lineChart({
    ...chartInput(),
    markers: [{ x: 1, label: "deploy" }],
    thresholds: [{ y: 4, label: "goal" }],
  });

  it("renders a PNG of the size asked for", () => {
    const png = renderPng(chart, size);
    expect(png.subarray(1, 4).toString("latin1")).toBe("PNG");
    expect(pngSize(png)).toEqual(size);
  });

  it("draws the series in its colour (beyond the legend's swatch, which an empty series also has)", () => {
    const empty = lineChart({
      title: "latency",
      xName: "s",
      yName: "ms",
      series: [{ name: "p95", points: [] }],
    });
    const drawn = pixelsNear(renderPng({ ...chart, color: ["#ff0000"] }, size), red);
    const swatchOnly = pixelsNear(renderPng({ ...empty, color: ["#ff0000"] }, size), red);
    expect(drawn).toBeGreaterThan(swatchOnly + 100);
  });

  it("puts the labels of markers and thresholds in the picture, in text the fonts draw", () => {
    const svg = renderSvg(chart, size);
    expect(svg).toContain("deploy");
    expect(svg).toContain("goal");
    // The same chart with another title is another picture: the text is rasterized, not dropped.
    const other = renderPng(lineChart({ ...chartInput(), title: "something else entirely" }), size);
    expect(other.equals(renderPng(lineChart(chartInput()), size))).toBe(false);
  });

  it("stacks bars when asked", () => {
    const option = barChart({
      title: "share",
      categories: ["a"],
      yName: "%",
      series: [{ name: "x", values: [1] }],
      stacked: true,
    }) as {
      series: { stack?: string }[];
    };
    expect(option.series[0]?.stack).toBe("total");
  });
});

function chartInput() {
  return {
    title: "latency",
    xName: "s",
    yName: "ms",
    series: [
      {
        name: "p95",
        points: [
          [0, 1],
          [2, 3],
        ] as const,
      },
    ],
  };
}

describe("roundUp", () => {
  it("rounds up to 1, 2 or 5 times a power of ten", () => {
    expect([0.7, 1, 1.2, 3, 7, 12, 430].map(roundUp)).toEqual([1, 1, 2, 5, 10, 20, 500]);
  });
});

describe("histogram", () => {
  it("counts values per bin from the lowest bin", () => {
    expect(histogram([12, 14, 25, 31, 39], 10)).toEqual({
      categories: ["10", "20", "30"],
      counts: [2, 1, 2],
    });
  });
  it("refuses a bin width that is not positive", () => {
    expect(() => histogram([1], 0)).toThrow(/bin width/);
  });
  it("has no bins for no values", () => {
    expect(histogram([], 5)).toEqual({ categories: [], counts: [] });
  });
});
