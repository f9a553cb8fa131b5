// A PNG of each console page at 1280x800, for the README: signs in with the region's key, opens
// each page, waits until its stream is live and its charts drew, and saves docs/screenshots/<page>.png.
//
//   bash scripts/run.sh node console/scripts/screenshots.ts [console URL] [credentials file]
//
// Defaults: http://127.0.0.1:4580/ (what `npm start` prints) and .local-region/credentials.

import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { fromIni } from "@aws-sdk/credential-provider-ini";
import { chromium } from "playwright-core";

export const PAGES = ["services", "tasks", "load-balancer", "alarms", "logs", "apps"] as const;

export interface ScreenshotOptions {
  url: string;
  accessKeyId: string;
  secretAccessKey: string;
  outDir: string;
}

/** Takes the screenshots; returns the files written. */
export async function takeScreenshots(options: ScreenshotOptions): Promise<string[]> {
  mkdirSync(options.outDir, { recursive: true });
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox"] });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(options.url);
    await page.fill("#accessKeyId", options.accessKeyId);
    await page.fill("#secretAccessKey", options.secretAccessKey);
    await page.click("#login");
    const files: string[] = [];
    for (const name of PAGES) {
      await page.goto(new URL(`/${name}`, options.url).href);
      if (name === "logs") await page.waitForSelector("#tail-status.good", { timeout: 30_000 });
      else await page.waitForSelector("#stream-status.good", { timeout: 30_000 });
      // Charts draw after the first snapshot; ECharts' canvas needs a frame or two.
      await page.waitForTimeout(1500);
      const file = join(options.outDir, `${name}.png`);
      await page.screenshot({ path: file });
      files.push(file);
    }
    return files;
  } finally {
    await browser.close();
  }
}

async function main(): Promise<void> {
  const here = fileURLToPath(new URL(".", import.meta.url));
  const url = process.argv[2] ?? "http://127.0.0.1:4580/";
  const credentialsFile = resolve(process.argv[3] ?? join(here, "../../.local-region/credentials"));
  const key = await fromIni({ profile: "local", filepath: credentialsFile, configFilepath: "/dev/null" })();
  const files = await takeScreenshots({
    url,
    accessKeyId: key.accessKeyId,
    secretAccessKey: key.secretAccessKey,
    outDir: join(here, "../docs/screenshots"),
  });
  for (const f of files) process.stdout.write(`${f}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    process.stderr.write(`screenshots: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
