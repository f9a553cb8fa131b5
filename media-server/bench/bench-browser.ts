import "../test/helpers/page-globals.js";
import path from "node:path";
import { build } from "esbuild";
import { type Browser, chromium, type Page } from "playwright-core";
import { CHROMIUM_FLAGS } from "../test/helpers/browser.js";
import { mediaServerDir } from "../test/helpers/server.js";
import type {} from "./page/bench-page.js";

/** bench/page/bench-page.ts as one script for the page (from the sources, also when run from dist/). */
export async function benchPageScript(): Promise<string> {
  const out = await build({
    entryPoints: [path.join(mediaServerDir, "bench/page/bench-page.ts")],
    bundle: true,
    format: "iife",
    target: "chrome110",
    write: false,
    logLevel: "silent",
  });
  return out.outputFiles[0]!.text;
}

/**
 * Debian's Chromium with the fake camera, and host candidates as plain addresses: a page that never
 * asked for the camera hides them behind mDNS names, which Janus cannot resolve.
 */
export function launchBenchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROME_BIN ?? "/usr/bin/chromium",
    headless: true,
    args: [
      ...CHROMIUM_FLAGS,
      "--use-fake-device-for-media-stream=fps=30",
      "--disable-features=WebRtcHideLocalIpsWithMdns",
    ],
  });
}

/** The server's demo page with the benchmark's code added (window.mediaBench). */
export async function openBenchPage(browser: Browser, serverUrl: string, script: string): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(`${serverUrl}/media/`);
  await page.addScriptTag({ content: script });
  return page;
}
