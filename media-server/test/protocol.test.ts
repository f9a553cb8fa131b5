import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runningGstPids } from "../src/media/gst-process.js";
import { TestRpc } from "./helpers/rpc-client.js";
import { startTestServer } from "./helpers/server.js";
import { makeOffer } from "./helpers/werift-client.js";

type Server = Awaited<ReturnType<typeof startTestServer>>;

describe("Kurento JSON-RPC protocol", () => {
  let server: Server;
  beforeAll(async () => {
    server = await startTestServer({
      SESSION_TIMEOUT_MS: "400",
      MAX_PIPELINES_PER_SESSION: "2",
      MAX_PIPELINES: "3",
      MAX_ELEMENTS_PER_PIPELINE: "3",
      WS_HEARTBEAT_MS: "200",
    });
  });
  afterAll(() => server.close());

  it("answers ping with pong", async () => {
    const rpc = await TestRpc.open(server.url);
    expect(await rpc.call("ping", { interval: 5000 })).toMatchObject({ result: { value: "pong" } });
    await rpc.close();
  });

  it("creates, describes, connects and releases objects with Kurento's ids and results", async () => {
    const rpc = await TestRpc.open(server.url);
    const created = await rpc.call("create", {
      type: "MediaPipeline",
      constructorParams: {},
      properties: {},
    });
    const pipeline = created.result?.value as string;
    expect(pipeline).toMatch(/^[0-9a-f-]{36}_kurento\.MediaPipeline$/);
    expect(created.result?.sessionId).toEqual(expect.any(String));
    const endpoint = await rpc.value("create", {
      type: "WebRtcEndpoint",
      constructorParams: { mediaPipeline: pipeline },
    });
    expect(endpoint).toMatch(new RegExp(`^${pipeline}/[0-9a-f-]{36}_kurento\\.WebRtcEndpoint$`));
    const filter = await rpc.value("create", {
      type: "ZBarFilter",
      constructorParams: { mediaPipeline: pipeline },
    });
    expect(filter).toMatch(/_kurento\.ZBarFilter$/);

    expect((await rpc.call("describe", { object: endpoint })).result).toMatchObject({
      type: "WebRtcEndpoint",
      qualifiedType: "kurento.WebRtcEndpoint",
      hierarchy: expect.arrayContaining(["kurento.MediaElement"]),
    });
    expect(await rpc.invoke(endpoint, "getMediaPipeline")).toBe(pipeline);
    expect(await rpc.invoke(pipeline, "getChildren")).toEqual([endpoint, filter]);
    await rpc.invoke(endpoint, "connect", { sink: filter });
    await rpc.invoke(filter, "connect", { sink: endpoint });
    expect(await rpc.invoke(filter, "getSinkConnections")).toEqual([
      expect.objectContaining({ source: filter, sink: endpoint }),
    ]);

    const sub = await rpc.call("subscribe", { object: filter, type: "CodeFound" });
    expect(sub.result?.value).toEqual(expect.any(String));
    expect(
      (await rpc.call("unsubscribe", { object: filter, subscription: sub.result?.value })).error,
    ).toBeUndefined();
    expect((await rpc.call("subscribe", { object: filter, type: "IceCandidateFound" })).error).toMatchObject({
      code: 40106,
    });

    expect((await rpc.call("release", { object: pipeline })).error).toBeUndefined();
    expect((await rpc.call("invoke", { object: endpoint, operation: "getName" })).error).toMatchObject({
      code: 40101,
      data: { type: "MEDIA_OBJECT_NOT_FOUND" },
    });
    await rpc.close();
  });

  it("negotiates SDP, raises IceCandidateFound after gatherCandidates, and dumps the real GStreamer graph", async () => {
    const rpc = await TestRpc.open(server.url);
    const pipeline = await rpc.value("create", { type: "MediaPipeline" });
    const endpoint = await rpc.value("create", {
      type: "WebRtcEndpoint",
      constructorParams: { mediaPipeline: pipeline },
    });
    const flip = await rpc.value("create", {
      type: "GStreamerFilter",
      constructorParams: { mediaPipeline: pipeline, command: "videoflip method=horizontal-flip" },
    });
    await rpc.value("subscribe", { object: endpoint, type: "IceCandidateFound" });
    await rpc.value("subscribe", { object: endpoint, type: "IceGatheringDone" });
    const offer = await makeOffer();
    const answer = await rpc.invoke<string>(endpoint, "processOffer", { offer: offer.sdp });
    expect(answer).toMatch(/^v=0\r\n/);
    expect(answer).toContain("a=rtpmap:");
    expect(answer).toMatch(/VP8\/90000/);
    expect(rpc.events.filter((e) => e.type === "IceCandidateFound")).toHaveLength(0);
    await rpc.invoke(endpoint, "gatherCandidates");
    const found = await rpc.waitForEvent((e) => e.type === "IceCandidateFound");
    expect(found.data.candidate).toMatchObject({
      __type__: "IceCandidate",
      candidate: expect.stringMatching(/^candidate:/),
    });
    await rpc.waitForEvent((e) => e.type === "IceGatheringDone");

    await rpc.invoke(endpoint, "connect", { sink: flip });
    await rpc.invoke(flip, "connect", { sink: endpoint });
    let dot = "";
    for (let i = 0; i < 100 && !dot.includes("GstVideoFlip"); i++) {
      await new Promise((r) => setTimeout(r, 100));
      dot = await rpc.invoke<string>(pipeline, "getGstreamerDot");
    }
    expect(dot).toMatch(/^digraph pipeline/);
    expect(dot).toContain("GstVideoFlip");
    expect(dot).toContain("GstVP8Enc");
    await rpc.value("release", { object: pipeline }).catch(() => undefined);
    await offer.close();
    await rpc.close();
  });

  it("runs a transaction whose operations refer to objects created earlier in it (newref)", async () => {
    const rpc = await TestRpc.open(server.url);
    const op = (id: number, method: string, params: Record<string, unknown>) => ({
      jsonrpc: "2.0",
      id,
      method,
      params,
    });
    const response = await rpc.call("transaction", {
      operations: [
        op(0, "create", { type: "MediaPipeline", constructorParams: {} }),
        op(1, "create", { type: "WebRtcEndpoint", constructorParams: { mediaPipeline: "newref:0" } }),
        op(2, "invoke", { object: "newref:1", operation: "connect", operationParams: { sink: "newref:1" } }),
        op(3, "invoke", { object: "newref:0", operation: "explode", operationParams: {} }),
      ],
    });
    const results = response.result?.value as Array<{
      result?: { value?: string };
      error?: { code: number };
    }>;
    expect(results[0]?.result?.value).toMatch(/_kurento\.MediaPipeline$/);
    expect(results[1]?.result?.value).toMatch(/_kurento\.WebRtcEndpoint$/);
    expect(results[2]?.error).toBeUndefined();
    expect(results[3]?.error?.code).toBe(40105);
    await rpc.value("release", { object: results[0]?.result?.value });
    await rpc.close();
  });

  it("resumes a session with connect, and refuses an unknown one with 40007", async () => {
    const first = await TestRpc.open(server.url);
    const pipeline = await first.value("create", { type: "MediaPipeline" });
    const sessionId = first.sessionId!;
    await first.close();

    const second = await TestRpc.open(server.url);
    expect((await second.call("connect", { sessionId })).result).toMatchObject({ sessionId });
    second.sessionId = sessionId;
    expect(await second.invoke(pipeline, "getName")).toBe(pipeline);
    expect((await second.call("connect", { sessionId: "no-such-session" })).error).toMatchObject({
      code: 40007,
    });
    await second.value("release", { object: pipeline });
    await second.close();
  });

  it("releases the objects of a client that went away once the session times out", async () => {
    const gone = await TestRpc.open(server.url);
    const pipeline = await gone.value("create", { type: "MediaPipeline" });
    gone.drop();
    const observer = await TestRpc.open(server.url);
    expect((await observer.call("describe", { object: pipeline })).result).toMatchObject({
      type: "MediaPipeline",
    });
    await new Promise((r) => setTimeout(r, 900));
    expect((await observer.call("describe", { object: pipeline })).error).toMatchObject({ code: 40101 });
    await observer.close();
  });

  it("closeSession releases the session's objects, and the next request starts a new session", async () => {
    const rpc = await TestRpc.open(server.url);
    const pipeline = await rpc.value("create", { type: "MediaPipeline" });
    const first = rpc.sessionId;
    await rpc.call("closeSession");
    rpc.sessionId = undefined;
    expect((await rpc.call("describe", { object: pipeline })).error).toMatchObject({ code: 40101 });
    const next = await rpc.call("create", { type: "MediaPipeline" });
    expect(next.result?.sessionId).toEqual(expect.any(String));
    expect(next.result?.sessionId).not.toBe(first);
    await rpc.call("closeSession");
    await rpc.close();
  });

  it("drops a connection that stops answering pings, then releases its session", async () => {
    const silent = await TestRpc.open(server.url, { answerPings: false });
    const closed = new Promise((resolve) => silent.ws.once("close", resolve));
    const pipeline = await silent.value("create", { type: "MediaPipeline" });
    await closed;
    const observer = await TestRpc.open(server.url);
    await expect
      .poll(async () => (await observer.call("describe", { object: pipeline })).error?.code, {
        timeout: 5000,
      })
      .toBe(40101);
    await observer.close();
  });

  it("limits pipelines per session and per server with a clear error", async () => {
    const a = await TestRpc.open(server.url);
    await a.value("create", { type: "MediaPipeline" });
    await a.value("create", { type: "MediaPipeline" });
    const third = await a.call("create", { type: "MediaPipeline" });
    expect(third.error).toMatchObject({ code: 40004, message: expect.stringMatching(/limit 2/) });
    const b = await TestRpc.open(server.url);
    await b.value("create", { type: "MediaPipeline" });
    expect((await b.call("create", { type: "MediaPipeline" })).error?.message).toMatch(
      /server is full \(3 pipelines\)/,
    );
    await a.call("closeSession");
    await b.call("closeSession");
    await a.close();
    await b.close();
    expect(server.service.registry.pipelineCount()).toBe(0);
    expect(runningGstPids.size).toBe(0);
  });

  it("limits the elements of a pipeline with a clear error, and takes one again after a release", async () => {
    const rpc = await TestRpc.open(server.url);
    const pipeline = await rpc.value("create", { type: "MediaPipeline" });
    const make = () =>
      rpc.call("create", { type: "WebRtcEndpoint", constructorParams: { mediaPipeline: pipeline } });
    const first = (await make()).result?.value as string;
    await rpc.value("create", { type: "ZBarFilter", constructorParams: { mediaPipeline: pipeline } });
    await make();
    const fourth = await make();
    expect(fourth.error).toMatchObject({
      code: 40004,
      message: expect.stringMatching(/3 elements \(limit 3\)/),
    });
    await rpc.call("release", { object: first });
    expect((await make()).error).toBeUndefined();
    await rpc.call("closeSession");
    await rpc.close();
  });

  it("serves health, version, the demo page and 404s over HTTP", async () => {
    expect((await fetch(`${server.url}/media/healthz`)).status).toBe(200);
    expect(await (await fetch(`${server.url}/media/version`)).json()).toEqual({
      version: "dev",
      build: "unknown",
      commit: "unknown",
      image: "test-image",
    });
    const page = await fetch(`${server.url}/media/`);
    expect(page.headers.get("content-type")).toMatch(/text\/html/);
    expect(await page.text()).toContain("demo.js");
    expect((await fetch(`${server.url}/media/../package.json`)).status).toBe(404);
    expect((await fetch(`${server.url}/media/nothing-here`)).status).toBe(404);
  });
});

describe("draining", () => {
  it("turns health to 503 and refuses new sessions, while running sessions go on", async () => {
    const server = await startTestServer();
    const running = await TestRpc.open(server.url);
    const pipeline = await running.value("create", { type: "MediaPipeline" });
    server.drain();
    expect((await fetch(`${server.url}/media/healthz`)).status).toBe(503);
    const late = await TestRpc.open(server.url);
    expect((await late.call("create", { type: "MediaPipeline" })).error).toMatchObject({ code: 40005 });
    expect(await running.invoke(pipeline, "getName")).toBe(pipeline);
    await running.value("subscribe", { object: pipeline, type: "Error" });
    await server.close();
    expect(running.events.map((e) => e.type)).toContain("ServerShuttingDown");
    await late.close();
  });
});
