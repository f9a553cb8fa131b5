import "./helpers/page-globals.js";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import serveStatic from "serve-static";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "./helpers/browser.js";
import { type Kurento, loadKurentoClient } from "./helpers/kurento-client.js";
import { codecs, hasCues, probe } from "./helpers/media-files.js";
import { startTestServer } from "./helpers/server.js";

type Server = Awaited<ReturnType<typeof startTestServer>>;
type Win = { pc: RTCPeerConnection };

/**
 * A browser's camera and microphone through WebRtcEndpoint → GStreamerFilter → RecorderEndpoint,
 * then the recording played in the same headless Chromium: it must know the duration up front
 * (no Infinity, the header has it), seek with the cues, and play to its end.
 */
describe("a filtered WebRTC session, recorded and played back in Chromium", () => {
  let server: Server;
  let browser: Browser;
  let client: Kurento;
  let dir: string;

  beforeAll(async () => {
    const kurento = loadKurentoClient();
    dir = mkdtempSync(path.join(tmpdir(), "recordings-"));
    server = await startTestServer({ RECORDINGS_DIR: dir });
    browser = await launchChromium();
    client = await kurento(`${server.url.replace(/^http/, "ws")}/kurento`);
  });

  afterAll(async () => {
    client?.close();
    await browser?.close();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The browser side: camera and microphone in, offer out. */
  const offer = (page: Page) =>
    page.evaluate(async () => {
      const pc = new RTCPeerConnection();
      (window as unknown as Win).pc = pc;
      const stream = await navigator.mediaDevices.getUserMedia({
        video: { width: 640, height: 480 },
        audio: true,
      });
      for (const track of stream.getTracks()) pc.addTrack(track, stream);
      await pc.setLocalDescription(await pc.createOffer());
      return pc.localDescription!.sdp;
    });

  it("records about as long as it was recording, and Chromium plays it with that duration", async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/media/healthz`);
    const pipeline = await client.create("MediaPipeline");
    const webRtc = await pipeline.create("WebRtcEndpoint");
    const filter = await pipeline.create("GStreamerFilter", { command: "videoflip method=horizontal-flip" });
    const recorder = await pipeline.create("RecorderEndpoint", {
      uri: `file://${dir}/call.webm`,
      mediaProfile: "WEBM",
    });
    webRtc.on(
      "IceCandidateFound",
      (event: { candidate: { candidate: string; sdpMid: string; sdpMLineIndex: number } }) => {
        const { candidate, sdpMid, sdpMLineIndex } = event.candidate;
        void page.evaluate((c) => (window as unknown as Win).pc.addIceCandidate(c), {
          candidate,
          sdpMid,
          sdpMLineIndex,
        });
      },
    );
    const flowing = new Promise((ok) =>
      webRtc.on("MediaFlowInStateChanged", (e: { state: string }) => e.state === "FLOWING" && ok(e)),
    );
    await webRtc.connect(filter);
    await filter.connect(recorder);
    const answer: string = await webRtc.processOffer(await offer(page));
    await page.evaluate(
      (sdp) => (window as unknown as Win).pc.setRemoteDescription({ type: "answer", sdp }),
      answer,
    );
    await webRtc.gatherCandidates();
    await flowing;

    await recorder.record();
    const startedAt = Date.now();
    await new Promise((r) => setTimeout(r, 3000));
    const recordedFor = (Date.now() - startedAt) / 1000;
    await recorder.stopAndWait();
    await pipeline.release();

    const file = path.join(dir, "call.webm");
    const got = probe(file);
    expect(codecs(file).sort()).toEqual(["opus", "vp8"]);
    expect(hasCues(file)).toBe(true);
    // The first frames wait for a keyframe and the last for the drain: within half a second.
    expect(got.duration).toBeGreaterThan(recordedFor - 0.5);
    expect(got.duration).toBeLessThan(recordedFor + 0.5);

    // Served with byte ranges, as a CDN or S3 would: Chromium seeks with range requests.
    const files = createServer((req, res) => serveStatic(dir)(req, res, () => res.writeHead(404).end()));
    await new Promise<void>((ok) => files.listen(0, "127.0.0.1", ok));
    const filesUrl = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
    const played = await page.evaluate(async (src) => {
      const video = document.createElement("video");
      video.muted = true;
      video.src = src;
      document.body.append(video);
      await new Promise((ok, fail) => {
        video.onloadedmetadata = ok;
        video.onerror = () => fail(new Error(`video error ${video.error?.code}`));
      });
      const duration = video.duration;
      video.currentTime = duration / 2;
      await new Promise((ok) => {
        video.onseeked = ok;
      });
      const seekedTo = video.currentTime;
      await video.play();
      await new Promise((ok) => {
        video.onended = ok;
      });
      return { duration, seekedTo, endedAt: video.currentTime, width: video.videoWidth };
    }, `${filesUrl}/call.webm`);
    files.close();
    expect(Number.isFinite(played.duration)).toBe(true);
    expect(Math.abs(played.duration - got.duration)).toBeLessThan(0.1);
    expect(Math.abs(played.seekedTo - got.duration / 2)).toBeLessThan(0.1);
    expect(Math.abs(played.endedAt - got.duration)).toBeLessThan(0.1);
    expect(played.width).toBe(640);
    await page.close();
  }, 90_000);
});
