import { writeFile } from "node:fs/promises";
import { Resvg } from "@resvg/resvg-js";
import * as echarts from "echarts";

// ECharts' server-side renderer writes SVG without a DOM or a canvas, and resvg rasterizes it with
// the system's fonts: a PNG from one npm install, with no browser and no native build.

export type ChartOption = echarts.EChartsCoreOption;

export interface ChartSize {
  width: number;
  height: number;
}

const DEFAULT_SIZE: ChartSize = { width: 960, height: 480 };

/** The chart as an SVG document. Animation is off: a server render is a single frame. */
export function renderSvg(option: ChartOption, size: ChartSize = DEFAULT_SIZE): string {
  const chart = echarts.init(null, null, { renderer: "svg", ssr: true, ...size });
  try {
    chart.setOption({ animation: false, backgroundColor: "#ffffff", ...option });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

/** The chart as PNG bytes, at the size it was laid out for. */
export function renderPng(option: ChartOption, size: ChartSize = DEFAULT_SIZE): Buffer {
  const svg = renderSvg(option, size);
  const resvg = new Resvg(svg, {
    fitTo: { mode: "original" },
    font: { loadSystemFonts: true, defaultFontFamily: "DejaVu Sans" },
  });
  return resvg.render().asPng();
}

export async function writePng(
  path: string,
  option: ChartOption,
  size: ChartSize = DEFAULT_SIZE,
): Promise<void> {
  await writeFile(path, renderPng(option, size));
}
