/// <reference lib="dom" />
import { type Browser, chromium, type Page } from "playwright-core";

// Debian's Chromium, headless, with a fake camera, driving the media server's demo page.

const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--use-fake-ui-for-media-stream",
  "--use-fake-device-for-media-stream",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
  "--disable-sync",
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: "/usr/bin/chromium", headless: true, args: FLAGS });
}

/** What the demo page (media-server/src/client/demo.ts) exposes for tests. */
interface MediaDemo {
  start(filter: string, degradation?: RTCDegradationPreference): Promise<void>;
  stop(): Promise<void>;
  state: { session: { pc: RTCPeerConnection; pipeline: string } | undefined };
}

declare global {
  interface Window {
    mediaDemo: MediaDemo;
  }
}

export function startFilter(page: Page, filter: string): Promise<void> {
  return page.evaluate((f) => window.mediaDemo.start(f, "maintain-resolution"), filter);
}

export function stopFilter(page: Page): Promise<void> {
  return page.evaluate(() => window.mediaDemo.stop());
}

/** framesDecoded of the processed video the page receives (0 before a session exists). */
export function framesDecoded(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const pc = window.mediaDemo.state.session?.pc;
    if (!pc) return 0;
    let decoded = 0;
    (await pc.getStats()).forEach((report: Record<string, unknown>) => {
      if (report.type === "inbound-rtp" && report.kind === "video")
        decoded = Number(report.framesDecoded ?? 0);
    });
    return decoded;
  });
}
