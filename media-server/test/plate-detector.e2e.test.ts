import "./helpers/page-globals.js";
import { readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildAssets } from "./helpers/assets.js";
import { launchChromium } from "./helpers/browser.js";
import { PLATE_TEXT, plateY4m } from "./helpers/plate-fixture.js";
import { TestRpc } from "./helpers/rpc-client.js";
import { startTestServer, targetUrl } from "./helpers/server.js";

type Server = Awaited<ReturnType<typeof startTestServer>>;

/** The filters' private frame folders that exist now. */
const frameFolders = () => readdirSync(tmpdir()).filter((f) => f.startsWith("plates-"));

describe("PlateDetectorFilter", () => {
  let server: Server;
  let browser: Browser;

  beforeAll(async () => {
    await buildAssets();
    server = await startTestServer();
    browser = await launchChromium(plateY4m());
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("reports the text of a plate shown to the camera, once per interval", async () => {
    const before = frameFolders();
    const page = await browser.newPage();
    await page.goto(`${targetUrl(server.url)}/media/`);
    // The demo page speaks JSON-RPC: create MediaPipeline, PlateDetectorFilter, subscribe PlateDetected.
    await page.evaluate(() => window.mediaDemo.start("plate", "maintain-resolution"));
    const found = await page.waitForFunction(
      () => window.mediaDemo.state.events.find((e) => e.type === "PlateDetected")?.data,
      undefined,
      { timeout: 40_000, polling: 200 },
    );
    const data = (await found.jsonValue()) as { plate: string; source: string };
    // The plate stays in view: within the 5 s interval it is not reported again.
    await page.waitForTimeout(2000);
    const reports = await page.evaluate(
      () => window.mediaDemo.state.events.filter((e) => e.type === "PlateDetected").length,
    );
    const shown = await page.locator("#events").innerText();
    const errors = await page.evaluate(() => window.mediaDemo.state.events.filter((e) => e.type === "Error"));
    await page.evaluate(() => window.mediaDemo.stop());
    // Released with its pipeline: its frame folder is gone (stop waits for the release).
    expect(frameFolders().filter((f) => !before.includes(f))).toEqual([]);
    expect(errors).toEqual([]);
    expect(data).toMatchObject({ plate: PLATE_TEXT, source: expect.stringMatching(/PlateDetectorFilter$/) });
    expect(reports).toBe(1);
    expect(shown).toContain(`PlateDetected: ${PLATE_TEXT}`);
  }, 90_000);

  it("refuses a bad plate width with Kurento's error and stays up", async () => {
    const rpc = await TestRpc.open(server.url);
    try {
      const pipeline = await rpc.value("create", { type: "MediaPipeline" });
      const filter = await rpc.value("create", {
        type: "PlateDetectorFilter",
        constructorParams: { mediaPipeline: pipeline },
      });
      for (const plateWidthPercentage of ["0.3", 1.5, -0.1, null]) {
        const r = await rpc.call("invoke", {
          object: filter,
          operation: "setPlateWidthPercentage",
          operationParams: { plateWidthPercentage },
        });
        expect(r.error).toMatchObject({
          code: 40107,
          message: expect.stringMatching(/plateWidthPercentage.*0 to 1/),
          data: { type: "MEDIA_OBJECT_ILLEGAL_PARAM_ERROR" },
        });
      }
      const ok = await rpc.call("invoke", {
        object: filter,
        operation: "setPlateWidthPercentage",
        operationParams: { plateWidthPercentage: 0.3 },
      });
      expect(ok.error).toBeUndefined();
      expect((await rpc.call("subscribe", { object: filter, type: "PlateDetected" })).error).toBeUndefined();
      expect((await rpc.call("ping", {})).error).toBeUndefined();
      expect((await rpc.call("describe", { object: filter })).result).toMatchObject({
        type: "PlateDetectorFilter",
        qualifiedType: "platedetector.PlateDetectorFilter",
      });
    } finally {
      await rpc.close();
    }
  });
});
