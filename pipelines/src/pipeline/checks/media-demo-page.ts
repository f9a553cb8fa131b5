/// <reference lib="dom" />
import { type Browser, chromium, type Page } from "playwright-core";

// Debian's Chromium, headless, with a fake camera, driving the media server's demo page
// (media-server/src/client/demo.ts exposes `window.mediaDemo`). The pipeline's WebRTC check and the
// end-to-end suites (test/src/browser.ts) drive the page through these functions alone.

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

export const DEFAULT_CHROMIUM = "/usr/bin/chromium";

export interface LaunchOptions {
  /** Chromium's binary; CHROMIUM_PATH, else Debian's. */
  executablePath?: string;
  /** Names Chromium must resolve to another address (`--host-resolver-rules=MAP host address`). */
  hostMap?: Record<string, string>;
  /** Plain-HTTP origins the page may use the camera on (browsers allow it on HTTPS and localhost only). */
  treatAsSecure?: string[];
}

export function launchChromium(options: LaunchOptions = {}): Promise<Browser> {
  const rules = Object.entries(options.hostMap ?? {}).map(([host, address]) => `MAP ${host} ${address}`);
  return chromium.launch({
    executablePath: options.executablePath ?? process.env.CHROMIUM_PATH ?? DEFAULT_CHROMIUM,
    headless: true,
    args: [
      ...FLAGS,
      ...(rules.length > 0 ? [`--host-resolver-rules=${rules.join(", ")}`] : []),
      ...(options.treatAsSecure?.length
        ? [`--unsafely-treat-insecure-origin-as-secure=${options.treatAsSecure.join(",")}`]
        : []),
    ],
  });
}

/** What the demo page exposes for tests and checks. */
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

export interface SessionState {
  session: boolean;
  ice?: string;
  framesDecoded: number;
}

/** The page's session, its ICE state and framesDecoded of the processed video it receives. */
export function sessionState(page: Page): Promise<SessionState> {
  return page.evaluate(async () => {
    const pc = window.mediaDemo.state.session?.pc;
    if (!pc) return { session: false, framesDecoded: 0 };
    let decoded = 0;
    (await pc.getStats()).forEach((report: Record<string, unknown>) => {
      if (report.type === "inbound-rtp" && report.kind === "video")
        decoded = Number(report.framesDecoded ?? 0);
    });
    return { session: true, ice: pc.iceConnectionState, framesDecoded: decoded };
  });
}

/** framesDecoded of the processed video the page receives (0 before a session exists). */
export async function framesDecoded(page: Page): Promise<number> {
  return (await sessionState(page)).framesDecoded;
}
