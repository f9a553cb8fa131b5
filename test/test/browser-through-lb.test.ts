import { sleep, waitFor } from "@platform/local-region/testing";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { framesDecoded, launchChromium, startFilter, stopFilter } from "../src/browser.js";
import { LbClient } from "../src/lb-client.js";
import { LocalRegionProcess } from "../src/region-process.js";

// The media server's demo page as a user opens it: http://qa.localhost:<port>/media/ in headless
// Chromium (which resolves *.localhost itself), its WebSocket through the load balancer to qa's
// media server, the camera looped back over WebRTC to the task's UDP ports.

let region: LocalRegionProcess;
let lb: LbClient;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  region = await LocalRegionProcess.start("browser-through-lb");
  lb = new LbClient({ port: region.ports.http });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  lb?.close();
  await region?.stop();
});

const pipelines = async (host: string) =>
  (await lb.json<{ pipelines: number }>({ host, path: "/media/stats" })).pipelines;

describe("the demo page through the load balancer", () => {
  it("loops the camera back through qa's media server: decoded frames keep coming", async () => {
    page = await browser.newPage();
    const response = await page.goto(`http://qa.localhost:${region.ports.http}/media/`);
    expect(response?.status()).toBe(200);
    await startFilter(page, "loopback");

    const first = await waitFor(
      "the first decoded frames",
      async () => {
        const frames = await framesDecoded(page);
        return frames > 10 ? frames : undefined;
      },
      45_000,
      250,
    );
    await sleep(3000);
    const later = await framesDecoded(page);
    console.log(`browser through the LB: ${first} → ${later} frames decoded over 3 s`);
    expect(later).toBeGreaterThan(first + 15);

    // The session lives on qa's media server (one task), not on prod's.
    expect(await pipelines("qa.localhost")).toBe(1);
    expect(await pipelines("localhost")).toBe(0);

    await stopFilter(page);
    await waitFor(
      "qa's pipeline to be released",
      async () => ((await pipelines("qa.localhost")) === 0 ? true : undefined),
      15_000,
    );
    await page.close();
  });
});
