/// <reference lib="dom" />
import type { Browser, Page } from "playwright-core";
import { launchChromium, startFilter } from "./browser.js";
import type { FrameReading } from "./frame-gaps.js";

// A live WebRTC session through a filter, as a user keeps one open: the media server's demo page
// (which reconnects by itself when its server goes away) in headless Chromium with a fake camera,
// through the load balancer; its decoded frames read every `everyMs`.

interface DemoWindow {
  mediaDemo: {
    state: { session?: { pc: RTCPeerConnection }; reconnects: number };
  };
}

export class MediaSessionWatch {
  readonly readings: FrameReading[] = [];
  private timer: NodeJS.Timeout | undefined;
  private reading = false;

  private constructor(
    private readonly browser: Browser,
    private readonly page: Page,
  ) {}

  /** Opens `url` (the demo page), starts `filter` and reads the page every `everyMs`. */
  static async start(url: string, filter: string, everyMs = 250): Promise<MediaSessionWatch> {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const response = await page.goto(url);
      if (response?.status() !== 200) throw new Error(`${url}: ${response?.status()}`);
      await startFilter(page, filter);
      const watch = new MediaSessionWatch(browser, page);
      watch.timer = setInterval(() => void watch.read(), everyMs);
      return watch;
    } catch (error) {
      await browser.close();
      throw error;
    }
  }

  private async read(): Promise<void> {
    if (this.reading) return;
    this.reading = true;
    try {
      const at = Date.now();
      const r = await this.page.evaluate(async () => {
        const demo = (window as unknown as DemoWindow).mediaDemo;
        const pc = demo.state.session?.pc;
        let decoded = 0;
        if (pc)
          (await pc.getStats()).forEach((report: Record<string, unknown>) => {
            if (report.type === "inbound-rtp" && report.kind === "video")
              decoded = Number(report.framesDecoded ?? 0);
          });
        return { framesDecoded: decoded, reconnects: demo.state.reconnects };
      });
      this.readings.push({ at, ...r });
    } catch {
      // a reading lost while the page reconnects is only a missing point
    } finally {
      this.reading = false;
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.browser.close();
  }
}
