import { type Browser, chromium } from "playwright-core";

export const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--use-fake-ui-for-media-stream",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
  "--disable-sync",
];

/** Debian's Chromium with a fake camera: 30 fps test pattern, or a Y4M file when given. */
export function launchChromium(y4m?: string): Promise<Browser> {
  const camera = y4m
    ? ["--use-fake-device-for-media-stream", `--use-file-for-fake-video-capture=${y4m}`]
    : ["--use-fake-device-for-media-stream=fps=30"];
  return chromium.launch({
    executablePath: process.env.CHROME_BIN ?? "/usr/bin/chromium",
    headless: true,
    args: [...CHROMIUM_FLAGS, ...camera],
  });
}
