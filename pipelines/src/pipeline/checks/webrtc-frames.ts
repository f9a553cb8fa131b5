import { browserUrl, type CheckEndpoint, hostMapFor, isLocalName } from "./endpoint.js";
import { assessFrames, type FramesRule, type FramesSample } from "./frames-verdict.js";
import { launchChromium, sessionState, startFilter, stopFilter } from "./media-demo-page.js";

// The media server's functional check: the demo page opened as a user opens it (the environment's
// name through the load balancer), the fake camera looped back over WebRTC through the `loopback`
// filter, and decoded frames counted until they pass the rule or the deadline.

export const FRAMES_RULE: FramesRule = { minFrames: 30, riseWindowMs: 2000, deadlineMs: 45_000 };

export interface FramesCheck {
  endpoint: CheckEndpoint;
  log: (line: string) => void;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  rule?: FramesRule;
  sampleMs?: number;
}

export interface FramesMeasure {
  framesDecoded: number;
  seconds: number;
}

export async function checkWebrtcFrames(check: FramesCheck): Promise<FramesMeasure> {
  const rule = check.rule ?? FRAMES_RULE;
  const url = browserUrl(check.endpoint, "/media/");
  const hostMap = hostMapFor(check.endpoint);
  const origin = new URL(url);
  const insecure = origin.protocol === "http:" && !isLocalName(origin.hostname);
  const browser = await launchChromium({ hostMap, ...(insecure && { treatAsSecure: [origin.origin] }) });
  try {
    const context = await browser.newContext({ ignoreHTTPSErrors: isLocalName(check.endpoint.host) });
    const page = await context.newPage();
    const mapped = Object.entries(hostMap).map(([h, a]) => ` (${h} → ${a})`);
    check.log(`opening ${url}${mapped.join("")} in headless Chromium, filter loopback`);
    const response = await page.goto(url).catch((error: Error) => {
      // Playwright's message carries its call log: the first line says what happened.
      throw new Error(
        `GET ${url}: ${error.message
          .split("\n")[0]
          ?.replace(/^page\.goto: /, "")
          .replace(/ at \S+$/, "")}`,
      );
    });
    if (response?.status() !== 200)
      throw new Error(`GET ${url} answered HTTP ${response?.status() ?? "nothing"}`);
    const started = check.now();
    // start() rejects when the page cannot open a session; a hang is caught by the deadline below.
    let startError: string | undefined;
    void startFilter(page, "loopback").catch((error: Error) => {
      startError = error.message.split("\n")[0];
    });
    const samples: FramesSample[] = [];
    for (;;) {
      await check.sleep(check.sampleMs ?? 250);
      if (startError) throw new Error(`no session: ${startError}`);
      samples.push({ atMs: check.now() - started, ...(await sessionState(page)) });
      const verdict = assessFrames(samples, rule);
      if (verdict.state === "passed") {
        await stopFilter(page).catch(() => undefined);
        return { framesDecoded: verdict.framesDecoded, seconds: verdict.overMs / 1000 };
      }
      if (verdict.state === "failed") throw new Error(verdict.reason);
    }
  } finally {
    await browser.close();
  }
}

export function describeFrames(m: FramesMeasure): string {
  return `${m.framesDecoded} frames decoded in ${m.seconds.toFixed(1)} s`;
}
