import type { Page } from "playwright-core";

// What an ECharts canvas drew, read back from its pixels: the chart is a canvas, so "the page shows
// the datapoint and the threshold line" can only be checked on what was painted. The console's
// charts paint the threshold as a dashed red line, the series in ECharts' palette (never red), and
// the x axis as a grey line across the plot at value 0 (the y axis starts at 0).

export interface Pixels {
  width: number;
  height: number;
  rgba: Uint8Array;
}

export interface ChartReading {
  /** Canvas row of the threshold line: the row with the most red pixels, if it spans a quarter of the width. */
  thresholdY: number | undefined;
  /** Canvas row of the x axis (value 0): the lowest row that a line crosses half the canvas on. */
  axisY: number | undefined;
  /** Centre of the series' pixels (coloured, not red): a lone datapoint's symbol. */
  series: { x: number; y: number; pixels: number } | undefined;
}

/** The RGBA pixels of the first canvas under `selector`. */
export async function canvasPixels(page: Page, selector: string): Promise<Pixels> {
  const out = (await page.evaluate(`(() => {
    const canvas = document.querySelector(${JSON.stringify(`${selector} canvas`)});
    if (!canvas) return undefined;
    const { data } = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height);
    let binary = "";
    for (let i = 0; i < data.length; i += 0x8000) binary += String.fromCharCode(...data.subarray(i, i + 0x8000));
    return { width: canvas.width, height: canvas.height, rgba: btoa(binary) };
  })()`)) as { width: number; height: number; rgba: string } | undefined;
  if (!out) throw new Error(`no canvas under ${selector}`);
  return { width: out.width, height: out.height, rgba: Buffer.from(out.rgba, "base64") };
}

export function readChart({ width, height, rgba }: Pixels): ChartReading {
  const redPerRow = new Array<number>(height).fill(0);
  const drawnPerRow = new Array<number>(height).fill(0);
  let sx = 0;
  let sy = 0;
  let count = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      const [r, g, b, a] = [rgba[i]!, rgba[i + 1]!, rgba[i + 2]!, rgba[i + 3]!];
      if (a < 128) continue;
      if (r + g + b < 600) drawnPerRow[y]!++;
      if (r - Math.max(g, b) > 100) redPerRow[y]!++;
      else if (Math.max(r, g, b) - Math.min(r, g, b) > 60) {
        sx += x;
        sy += y;
        count++;
      }
    }
  }
  const reddest = redPerRow.indexOf(Math.max(...redPerRow));
  const axisY = drawnPerRow.findLastIndex((n) => n > width / 2);
  return {
    thresholdY: redPerRow[reddest]! > width / 4 ? reddest : undefined,
    axisY: axisY >= 0 ? axisY : undefined,
    series: count > 0 ? { x: sx / count, y: sy / count, pixels: count } : undefined,
  };
}
