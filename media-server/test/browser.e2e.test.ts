import "./helpers/page-globals.js";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runningGstPids } from "../src/media/gst-process.js";
import { buildAssets } from "./helpers/assets.js";
import { launchChromium } from "./helpers/browser.js";
import { measureReceivedVideo, sampleVideo } from "./helpers/page-measure.js";
import { startTestServer, targetUrl } from "./helpers/server.js";

type Server = Awaited<ReturnType<typeof startTestServer>>;

/**
 * Headless Chromium, fake camera at 30 fps 640×480, the demo page at /media/. The sender keeps its
 * resolution under CPU pressure (degradationPreference "maintain-resolution"), so the size we
 * check is the size the server handled.
 */
describe("browser end to end", () => {
  let server: Server;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    await buildAssets();
    server = await startTestServer();
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function run(filter: string): Promise<void> {
    page = await browser.newPage();
    await page.goto(`${targetUrl(server.url)}/media/`);
    await page.evaluate((f) => window.mediaDemo.start(f, "maintain-resolution"), filter);
  }

  async function stop(): Promise<void> {
    await page.evaluate(() => window.mediaDemo.stop());
    await page.close();
  }

  it.each(["loopback", "edge", "faceblur", "faceoverlay", "zbar", "flip"])(
    "%s delivers 640x480 at 25 fps or more",
    async (filter) => {
      await run(filter);
      const measured = await measureReceivedVideo(page, 4);
      const events = await page.evaluate(() => window.mediaDemo.state.events.map((e) => e.type));
      const added = await page.evaluate(() => window.mediaDemo.state.stats?.serverLatencyMs);
      await stop();
      console.log(
        `${filter}: ${measured.fps.toFixed(1)} fps at ${measured.width}x${measured.height}, server adds ${added ?? "–"} ms`,
      );
      // The demo's "added latency" comes from the GStreamer latency tracer; a loopback has no process.
      if (filter === "loopback") expect(added).toBeUndefined();
      else expect(added).toBeGreaterThan(0);
      expect(events).toContain("MediaFlowInStateChanged");
      expect({ width: measured.width, height: measured.height }).toEqual({ width: 640, height: 480 });
      expect(measured.fps).toBeGreaterThanOrEqual(25);
    },
    90_000,
  );

  it("the edge filter's output really differs from its input", async () => {
    await run("edge");
    await measureReceivedVideo(page, 1);
    const input = await sampleVideo(page, "local");
    const output = await sampleVideo(page, "remote");
    await stop();
    // The fake camera is a bright, colourful picture; edges are thin lines on black.
    expect(input.darkFraction).toBeLessThan(0.3);
    expect(output.darkFraction).toBeGreaterThan(0.6);
    expect(input.meanLuma - output.meanLuma).toBeGreaterThan(40);
  }, 90_000);

  it("the demo page reconnects by itself when the server says it is shutting down", async () => {
    await run("flip");
    await measureReceivedVideo(page, 1);
    const before = await page.evaluate(() => window.mediaDemo.state.session?.pipeline);
    // What SIGTERM ends with (minus closing the listener, so the page can come back to this server).
    await server.service.shutdown();
    await page.waitForFunction(
      (old) => window.mediaDemo.state.reconnects === 1 && window.mediaDemo.state.session?.pipeline !== old,
      before,
      { timeout: 30_000 },
    );
    const after = await measureReceivedVideo(page, 1);
    await stop();
    expect(after.framesDecoded).toBeGreaterThan(30);
  }, 90_000);

  it("stopping a session leaves no GStreamer process behind", async () => {
    for (let i = 0; i < 40 && runningGstPids.size > 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(runningGstPids.size).toBe(0);
    expect(server.service.registry.pipelineCount()).toBe(0);
  });
});
