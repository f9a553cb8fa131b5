import { FILTERS, startFilterSession } from "../../src/client/filter-session.js";
import { KurentoRpc, RpcFailure } from "../../src/client/kurento-rpc.js";
import { liveStats, serverLatencyMs, snapshot } from "../../src/client/stats.js";

/** The Kurento endpoint of the server the vitest wrapper started, passed in through karma's client args. */
const kurentoUrl = (window as unknown as { __karma__: { config: { args: string[] } } }).__karma__.config
  .args[0]!;

describe("live stats", () => {
  it("turns two getStats snapshots into fps, bitrate and size", () => {
    const report = (frames: number, bytes: number) =>
      new Map<string, Record<string, unknown>>([
        [
          "in",
          {
            type: "inbound-rtp",
            kind: "video",
            framesDecoded: frames,
            bytesReceived: bytes,
            frameWidth: 640,
            frameHeight: 480,
            totalProcessingDelay: frames * 0.01,
          },
        ],
        ["pair", { type: "candidate-pair", nominated: true, currentRoundTripTime: 0.012 }],
      ]) as unknown as RTCStatsReport;
    const stats = liveStats(snapshot(report(100, 50_000), 1000), snapshot(report(160, 300_000), 3000));
    expect(stats.fps).toBe(30);
    expect(stats.bitrateKbps).toBe(1000);
    expect([stats.width, stats.height]).toEqual([640, 480]);
    expect(stats.rttMs).toBeCloseTo(12);
    expect(stats.decodeMsPerFrame).toBe(10);
  });

  it("reads the server's added latency from Kurento's ElementStats (ns)", () => {
    expect(
      serverLatencyMs({ x: { inputLatency: [{ name: "video", type: "VIDEO", avg: 12_340_000 }] } }),
    ).toBe(12.3);
    expect(serverLatencyMs({ x: { inputLatency: [] } })).toBeUndefined();
  });
});

describe("Kurento JSON-RPC in the browser", () => {
  it("gets pong, keeps the session id, and turns errors into RpcFailure with Kurento's code", async () => {
    const rpc = await KurentoRpc.connect(kurentoUrl);
    const pipeline = await rpc.value<string>("create", { type: "MediaPipeline" });
    expect(pipeline).toMatch(/_kurento\.MediaPipeline$/);
    expect(rpc.sessionId).toEqual(jasmine.any(String));
    const failure = await rpc.value("create", { type: "NoSuchThing" }).catch((e: unknown) => e);
    expect(failure).toEqual(jasmine.any(RpcFailure));
    expect((failure as RpcFailure).code).toBe(40100);
    await rpc.request("release", { object: pipeline });
    rpc.close();
  });
});

describe("filter session", () => {
  it("offers every filter the server knows", () => {
    expect(Object.keys(FILTERS)).toEqual(
      jasmine.arrayContaining(["loopback", "edge", "faceblur", "faceoverlay", "zbar"]),
    );
  });

  it("sends the fake camera through a loopback and decodes what comes back", async () => {
    const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 } });
    const events: string[] = [];
    const session = await startFilterSession({
      wsUrl: kurentoUrl,
      filter: "loopback",
      stream,
      onEvent: (e) => events.push(e.type),
    });
    let decoded = 0;
    for (let i = 0; i < 60 && decoded < 10; i++) {
      await new Promise((r) => setTimeout(r, 250));
      (await session.pc.getStats()).forEach((r: Record<string, unknown>) => {
        if (r.type === "inbound-rtp" && r.kind === "video") decoded = Number(r.framesDecoded ?? 0);
      });
    }
    await session.stop();
    for (const track of stream.getTracks()) track.stop();
    expect(decoded).toBeGreaterThanOrEqual(10);
    expect(events).toContain("MediaFlowInStateChanged");
  }, 30_000);
});
