import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkWebrtcFrames, describeFrames } from "../../../src/pipeline/checks/webrtc-frames.js";
import { type AppProcess, bundleMediaPublicDir, startAppProcess } from "./app-process.js";

// The media server's functional check against the real media server (its compiled entry point,
// GStreamer and werift) in Debian's headless Chromium with a fake camera. The page is opened by a
// name only the browser's resolver rule knows (as on AWS, where the name is the environment's),
// so the host mapping is part of what passes. Media that never arrives is the stall verdict
// (verdicts.test.ts) and, end to end, a media server that forwards no frames (test/test/pipeline-stops.test.ts).

const servers: AppProcess[] = [];
let dir: string;
let publicDir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "checks-media-"));
  publicDir = await bundleMediaPublicDir(dir);
}, 60_000);

afterAll(async () => {
  for (const server of servers) await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function startMediaServer(env: Record<string, string> = {}): Promise<AppProcess> {
  const server = await startAppProcess("media-server", {
    GIT_COMMIT: "abc1234",
    PUBLIC_DIR: publicDir,
    ...env,
  });
  servers.push(server);
  return server;
}

const check = (baseUrl: string, lines: string[], deadlineMs = 45_000) => ({
  endpoint: { baseUrl, host: "media.qa.example.test" },
  log: (line: string) => lines.push(line),
  now: Date.now,
  sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)),
  rule: { minFrames: 30, riseWindowMs: 2000, deadlineMs },
});

describe("the WebRTC check against a real media server", () => {
  it("loops the fake camera back through the loopback filter: decoded frames past 30 and rising", async () => {
    const server = await startMediaServer();
    const lines: string[] = [];
    const measure = await checkWebrtcFrames(check(server.url, lines));
    console.log(`frames check: ${describeFrames(measure)}`);
    expect(measure.framesDecoded).toBeGreaterThan(30);
    const port = new URL(server.url).port;
    expect(lines[0]).toBe(
      `opening http://media.qa.example.test:${port}/media/ (media.qa.example.test → 127.0.0.1) in headless Chromium, filter loopback`,
    );
  }, 90_000);

  it("fails when the page is not there", async () => {
    const missing = createServer((_req, res) => res.writeHead(404).end());
    await new Promise<void>((r) => missing.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(missing.address() as AddressInfo).port}`;
    try {
      await expect(checkWebrtcFrames(check(url, []))).rejects.toThrow(
        /^GET http:\/\/media\.qa\.example\.test:\d+\/media\/: net::ERR_HTTP_RESPONSE_CODE_FAILURE/,
      );
    } finally {
      await new Promise((r) => missing.close(r));
    }
  }, 60_000);
});
