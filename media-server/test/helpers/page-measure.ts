import "./page-globals.js";
import type { Page } from "playwright-core";

export interface Measured {
  fps: number;
  width: number;
  height: number;
  framesDecoded: number;
}

/**
 * Waits for the processed video to decode frames and settle (the sender's bitrate ramps up over
 * the first seconds), then measures getStats over `seconds`.
 */
export async function measureReceivedVideo(page: Page, seconds: number): Promise<Measured> {
  await page.waitForFunction(
    async () => {
      const pc = window.mediaDemo.state.session?.pc;
      if (!pc) return false;
      let decoded = 0;
      (await pc.getStats()).forEach((r: Record<string, unknown>) => {
        if (r.type === "inbound-rtp" && r.kind === "video") decoded = Number(r.framesDecoded ?? 0);
      });
      return decoded > 30;
    },
    undefined,
    { timeout: 30_000, polling: 250 },
  );
  await new Promise((r) => setTimeout(r, 2000));
  return page.evaluate(async (s) => {
    const read = async () => {
      const pc = window.mediaDemo.state.session!.pc;
      let out = { frames: 0, width: 0, height: 0, t: performance.now() };
      (await pc.getStats()).forEach((r: Record<string, unknown>) => {
        if (r.type === "inbound-rtp" && r.kind === "video") {
          out = {
            frames: Number(r.framesDecoded),
            width: Number(r.frameWidth),
            height: Number(r.frameHeight),
            t: performance.now(),
          };
        }
      });
      return out;
    };
    const a = await read();
    await new Promise((r) => setTimeout(r, s * 1000));
    const b = await read();
    return {
      fps: (b.frames - a.frames) / ((b.t - a.t) / 1000),
      width: b.width,
      height: b.height,
      framesDecoded: b.frames,
    };
  }, seconds);
}

/** Luma statistics of a video element's current frame, sampled through a canvas. */
export function sampleVideo(
  page: Page,
  id: "local" | "remote",
): Promise<{ meanLuma: number; darkFraction: number }> {
  return page.evaluate((videoId) => {
    const video = document.getElementById(videoId) as HTMLVideoElement;
    const canvas = document.createElement("canvas");
    canvas.width = 160;
    canvas.height = 120;
    const ctx = canvas.getContext("2d", { willReadFrequently: true })!;
    ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
    const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
    let sum = 0;
    let dark = 0;
    for (let i = 0; i < data.length; i += 4) {
      const luma = 0.299 * data[i]! + 0.587 * data[i + 1]! + 0.114 * data[i + 2]!;
      sum += luma;
      if (luma < 40) dark++;
    }
    const pixels = data.length / 4;
    return { meanLuma: sum / pixels, darkFraction: dark / pixels };
  }, id);
}
