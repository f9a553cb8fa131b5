import "./helpers/page-globals.js";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildAssets } from "./helpers/assets.js";
import { launchChromium } from "./helpers/browser.js";
import { QR_TEXT, qrCodeY4m } from "./helpers/qr-fixture.js";
import { startTestServer, targetUrl } from "./helpers/server.js";

type Server = Awaited<ReturnType<typeof startTestServer>>;

describe("ZBarFilter in the browser", () => {
  let server: Server;
  let browser: Browser;

  beforeAll(async () => {
    await buildAssets();
    server = await startTestServer();
    browser = await launchChromium(qrCodeY4m());
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("reports the text of a QR code shown to the camera", async () => {
    const page = await browser.newPage();
    await page.goto(`${targetUrl(server.url)}/media/`);
    await page.evaluate(() => window.mediaDemo.start("zbar", "maintain-resolution"));
    const code = await page.waitForFunction(
      () => window.mediaDemo.state.events.find((e) => e.type === "CodeFound")?.data,
      undefined,
      { timeout: 30_000, polling: 200 },
    );
    const data = (await code.jsonValue()) as { codeType: string; value: string };
    await page.evaluate(() => window.mediaDemo.stop());
    expect(data).toMatchObject({ codeType: "QR-Code", value: QR_TEXT });
  }, 60_000);
});
