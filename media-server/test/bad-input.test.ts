import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestRpc } from "./helpers/rpc-client.js";
import { startTestServer } from "./helpers/server.js";

type Server = Awaited<ReturnType<typeof startTestServer>>;

describe("bad input", () => {
  let server: Server;
  let attacker: TestRpc;
  let bystander: TestRpc;
  let bystanderPipeline: string;
  let pipeline: string;
  let endpoint: string;

  beforeAll(async () => {
    server = await startTestServer({ MAX_MESSAGE_BYTES: "65536" });
    bystander = await TestRpc.open(server.url);
    bystanderPipeline = await bystander.value("create", { type: "MediaPipeline" });
    attacker = await TestRpc.open(server.url);
    pipeline = await attacker.value("create", { type: "MediaPipeline" });
    endpoint = await attacker.value("create", {
      type: "WebRtcEndpoint",
      constructorParams: { mediaPipeline: pipeline },
    });
  });

  afterAll(async () => {
    await attacker.close();
    await bystander.close();
    await server.close();
  });

  it.each([
    ["malformed JSON", "{not json", -32700],
    ["a JSON array (batch)", "[]", -32600],
    ["a request without jsonrpc", JSON.stringify({ id: 1, method: "ping" }), -32600],
    ["a number", "42", -32600],
  ])("%s gets a JSON-RPC error", async (_what, text, code) => {
    const response = await attacker.raw(text, text.includes('"id":1') ? 1 : null);
    expect(response.error).toMatchObject({ code, message: expect.any(String) });
  });

  it("a huge message gets an error naming the limit", async () => {
    const huge = JSON.stringify({
      jsonrpc: "2.0",
      id: 7,
      method: "ping",
      params: { pad: "x".repeat(200_000) },
    });
    const response = await attacker.raw(huge, null);
    expect(response.error).toMatchObject({
      code: -32600,
      message: expect.stringMatching(/exceeds the limit of 65536/),
    });
  });

  it.each([
    ["an unknown method", "explode", {}, -32601],
    ["an unknown type", "create", { type: "HttpPostEndpoint" }, 40100],
    ["a type that is not a string", "create", { type: 42 }, -32602],
    ["an unknown object id", "invoke", { object: "nope_kurento.MediaPipeline", operation: "getName" }, 40101],
    ["an unknown operation", "invoke", { object: "__endpoint__", operation: "rm -rf" }, 40105],
    [
      "operationParams of the wrong type",
      "invoke",
      { object: "__endpoint__", operation: "connect", operationParams: "x" },
      -32602,
    ],
    [
      "a sink that is not an id",
      "invoke",
      { object: "__endpoint__", operation: "connect", operationParams: { sink: 5 } },
      40107,
    ],
    ["an element without a pipeline", "create", { type: "WebRtcEndpoint", constructorParams: {} }, 40107],
    ["release of an unknown object", "release", { object: "ghost" }, 40101],
    ["release of the ServerManager", "release", { object: "manager_ServerManager" }, 40107],
    [
      "setLatencyStats with a string",
      "invoke",
      { object: "__pipeline__", operation: "setLatencyStats", operationParams: { latencyStats: "yes" } },
      40107,
    ],
    [
      "an offer that is not a string",
      "invoke",
      { object: "__endpoint__", operation: "processOffer", operationParams: { offer: 1 } },
      40107,
    ],
    [
      "garbage SDP",
      "invoke",
      { object: "__endpoint__", operation: "processOffer", operationParams: { offer: "hello" } },
      40201,
    ],
    [
      "SDP without video",
      "invoke",
      {
        object: "__endpoint__",
        operation: "processOffer",
        operationParams: { offer: "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n" },
      },
      40205,
    ],
    [
      "an SDP-shaped offer werift can't use",
      "invoke",
      {
        object: "__endpoint__",
        operation: "processOffer",
        operationParams: { offer: "v=0\r\nm=video 9 FOO 96\r\nc=IN IP4 0\r\n" },
      },
      40205,
    ],
    [
      "a garbage candidate",
      "invoke",
      {
        object: "__endpoint__",
        operation: "addIceCandidate",
        operationParams: { candidate: { candidate: "candidate:1 evil" } },
      },
      40208,
    ],
    [
      "a candidate that is a string",
      "invoke",
      { object: "__endpoint__", operation: "addIceCandidate", operationParams: { candidate: "x" } },
      40107,
    ],
    ["an unsupported event", "subscribe", { object: "__endpoint__", type: "CodeFound" }, 40106],
    ["an unknown subscription", "unsubscribe", { object: "__endpoint__", subscription: "nope" }, 40107],
  ])("%s gets a JSON-RPC error", async (_what, method, params, code) => {
    const resolved = JSON.parse(
      JSON.stringify(params).replaceAll("__endpoint__", endpoint).replaceAll("__pipeline__", pipeline),
    );
    const response = await attacker.call(method, resolved);
    expect(response.error).toMatchObject({ code, message: expect.any(String) });
  });

  it.each([
    ["filesrc location=/etc/passwd", /element 'filesrc' is not allowed/],
    ["filesink location=/tmp/stolen", /element 'filesink' is not allowed/],
    ["udpsink host=203.0.113.9 port=9", /element 'udpsink' is not allowed/],
    ["tcpclientsink host=203.0.113.9 port=80", /element 'tcpclientsink' is not allowed/],
    ["videoflip ! filesink location=/tmp/x", /only one element/],
    ["videoflip method=horizontal-flip name=x", /property 'name'/],
    ["videobalance saturation=$(id)", /quotes or shell characters/],
  ])("GStreamerFilter %j is refused", async (command, why) => {
    const response = await attacker.call("create", {
      type: "GStreamerFilter",
      constructorParams: { mediaPipeline: pipeline, command },
    });
    expect(response.error).toMatchObject({ code: 40107, message: expect.stringMatching(why) });
  });

  it("an overlay image from a foreign host or a local file is refused", async () => {
    const filter = await attacker.value("create", {
      type: "FaceOverlayFilter",
      constructorParams: { mediaPipeline: pipeline },
    });
    for (const uri of ["file:///etc/passwd", "https://evil.example/x.png", "/media/../../etc/shadow"]) {
      const response = await attacker.call("invoke", {
        object: filter,
        operation: "setOverlayedImage",
        operationParams: { uri, offsetXPercent: 0, offsetYPercent: 0, widthPercent: 1, heightPercent: 1 },
      });
      expect(response.error?.code).toBe(40107);
    }
  });

  it("after all of the above, the other client is still served and the attacker's socket still works", async () => {
    expect(await bystander.invoke(bystanderPipeline, "getName")).toBe(bystanderPipeline);
    expect((await attacker.call("ping")).result?.value).toBe("pong");
  });
});
