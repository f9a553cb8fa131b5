import { join } from "node:path";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { makeClip, startTestService, type TestService } from "./helpers/service.js";

// The home page in Debian's Chromium: version shown, upload and submit, progress live over the
// WebSocket, the result plays.

let svc: TestService;
let browser: Browser;

beforeAll(async () => {
  svc = await startTestService({ WORKER_CONCURRENCY: "1" });
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--autoplay-policy=no-user-gesture-required"],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await svc?.stop();
});

it("submits a job from the page, watches it finish live and plays the output", async () => {
  const { key } = await svc.addKey("pat");
  const clip = makeClip(join(svc.dir, "page clip.mp4"), 2, "640x360");
  const page = await browser.newPage();
  await page.goto(`${svc.url}/`);
  await expect.poll(() => page.textContent("#v-version")).toBe("1.2.3");
  expect(await page.textContent("#v-build")).toBe("2026-11-22T00:00:00Z");
  expect(await page.textContent("#v-commit")).toBe("abc1234");

  await page.fill("#key", key);
  await page.click("#connect");
  await expect.poll(() => page.textContent("#status"), { timeout: 10_000 }).toBe("live");
  await page.setInputFiles("#file", clip);
  await page.selectOption("#scale", "240p");
  await page.selectOption("#speed", "ultrafast");
  await page.fill("#bitrate", "1");
  await page.click("#submit");
  await expect.poll(() => page.textContent("#submit-status"), { timeout: 20_000 }).toMatch(/^submitted /);

  const row = page.locator("#jobs tr", { hasText: "COMPLETE" });
  await row.waitFor({ timeout: 60_000 });
  expect(await row.textContent()).toContain("objects://uploads/page_clip.mp4");
  await row.locator("button", { hasText: "play" }).click();
  await expect
    .poll(() => page.evaluate("document.getElementById('player').videoHeight"), { timeout: 20_000 })
    .toBe(240);
}, 120_000);
