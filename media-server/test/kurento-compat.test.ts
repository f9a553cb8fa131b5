import "./helpers/page-globals.js";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "./helpers/browser.js";
import { type Kurento, loadKurentoClient } from "./helpers/kurento-client.js";
import { startTestServer, targetUrl } from "./helpers/server.js";

type Server = Awaited<ReturnType<typeof startTestServer>>;

/**
 * Applications written the way Kurento's tutorials write them (hello-world loopback, magic-mirror
 * with FaceOverlayFilter), driving this server through kurento-client 7.3. The "browser" is
 * headless Chromium with a fake camera; the app server is this test, relaying SDP and candidates.
 */
describe("kurento-client 7.3 compatibility", () => {
  let kurento: Kurento;
  let server: Server;
  let browser: Browser;

  beforeAll(async () => {
    kurento = loadKurentoClient();
    server = await startTestServer();
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  /** The browser side of a tutorial: camera in, offer out, remote candidates and answer in. */
  async function browserOffer(page: Page): Promise<string> {
    await page.goto(`${targetUrl(server.url)}/media/healthz`);
    return page.evaluate(async () => {
      const pc = new RTCPeerConnection();
      (window as unknown as { pc: RTCPeerConnection }).pc = pc;
      const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 } });
      for (const track of stream.getTracks()) pc.addTrack(track, stream);
      await pc.setLocalDescription(await pc.createOffer());
      return pc.localDescription!.sdp;
    });
  }

  const framesDecoded = (page: Page) =>
    page.evaluate(async () => {
      let n = 0;
      (await (window as unknown as { pc: RTCPeerConnection }).pc.getStats()).forEach(
        (r: Record<string, unknown>) => {
          if (r.type === "inbound-rtp" && r.kind === "video") n = Number(r.framesDecoded ?? 0);
        },
      );
      return n;
    });

  /** A tutorial's server code, callbacks and all; `withFilter` turns hello-world into magic-mirror. */
  function tutorialSession(page: Page, sdpOffer: string, withFilter: boolean) {
    return new Promise<{ flowing: Promise<unknown>; pipeline: Kurento; client: Kurento }>(
      (resolve, reject) => {
        kurento(
          `${targetUrl(server.url).replace(/^http/, "ws")}/kurento`,
          (error: Error, client: Kurento) => {
            if (error) return reject(error);
            client.create("MediaPipeline", (error: Error, pipeline: Kurento) => {
              if (error) return reject(error);
              pipeline.create("WebRtcEndpoint", (error: Error, webRtcEndpoint: Kurento) => {
                if (error) return reject(error);
                webRtcEndpoint.on("IceCandidateFound", (event: { candidate: unknown }) => {
                  const candidate = kurento.getComplexType("IceCandidate")(event.candidate);
                  void page.evaluate(
                    (c) => (window as unknown as { pc: RTCPeerConnection }).pc.addIceCandidate(c),
                    {
                      candidate: candidate.candidate,
                      sdpMid: candidate.sdpMid,
                      sdpMLineIndex: candidate.sdpMLineIndex,
                    },
                  );
                });
                const flowing = new Promise((ok) =>
                  webRtcEndpoint.on("MediaFlowInStateChanged", (event: { state: string }) => {
                    if (event.state === "FLOWING") ok(event);
                  }),
                );
                const negotiate = () =>
                  webRtcEndpoint.processOffer(sdpOffer, (error: Error, sdpAnswer: string) => {
                    if (error) return reject(error);
                    void page
                      .evaluate(
                        (sdp) =>
                          (window as unknown as { pc: RTCPeerConnection }).pc.setRemoteDescription({
                            type: "answer",
                            sdp,
                          }),
                        sdpAnswer,
                      )
                      .then(() =>
                        webRtcEndpoint.gatherCandidates((error: Error) =>
                          error ? reject(error) : resolve({ flowing, pipeline, client }),
                        ),
                      );
                  });
                if (!withFilter) {
                  return webRtcEndpoint.connect(webRtcEndpoint, (error: Error) =>
                    error ? reject(error) : negotiate(),
                  );
                }
                pipeline.create("FaceOverlayFilter", (error: Error, faceOverlayFilter: Kurento) => {
                  if (error) return reject(error);
                  const image = `${targetUrl(server.url)}/media/img/overlay.png`;
                  faceOverlayFilter.setOverlayedImage(image, -0.35, -1.2, 1.6, 1.6, (error: Error) => {
                    if (error) return reject(error);
                    webRtcEndpoint.connect(faceOverlayFilter, (error: Error) => {
                      if (error) return reject(error);
                      faceOverlayFilter.connect(webRtcEndpoint, (error: Error) =>
                        error ? reject(error) : negotiate(),
                      );
                    });
                  });
                });
              });
            });
          },
        );
      },
    );
  }

  it.each([
    ["hello-world loopback", false],
    ["magic-mirror FaceOverlayFilter", true],
  ])(
    "%s: media flows and comes back",
    async (_name, withFilter) => {
      const page = await browser.newPage();
      const sdpOffer = await browserOffer(page);
      const { flowing, pipeline, client } = await tutorialSession(page, sdpOffer, withFilter);
      expect(await flowing).toMatchObject({ state: "FLOWING", mediaType: "VIDEO" });
      await expect.poll(() => framesDecoded(page), { timeout: 20_000, interval: 250 }).toBeGreaterThan(10);
      const dot: string = await pipeline.getGstreamerDot();
      expect(dot).toMatch(withFilter ? /GstFaceDetect/ : /direct RTP forwarding/);
      await pipeline.release();
      client.close();
      await page.close();
    },
    90_000,
  );
});
