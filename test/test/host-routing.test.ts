import { FilterLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { DescribeServicesCommand, DescribeTaskDefinitionCommand } from "@aws-sdk/client-ecs";
import { waitFor } from "@platform/local-region/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deployEchoService, ECHO, type Echo } from "../src/echo-service.js";
import { KurentoSocket } from "../src/kurento-ws.js";
import { LbClient, type VersionInfo } from "../src/lb-client.js";
import { CLUSTER, LocalRegionProcess } from "../src/region-process.js";

// The routes of docs/architecture.md, through the load balancer `npm start` sets up: qa.<domain> goes
// to qa and every other host to prod; /kurento and /media/* go to the environment's media server,
// everything else to its API; HTTPS with the generated certificate; X-Forwarded-* reach the app.

let region: LocalRegionProcess;
let http: LbClient;
let https: LbClient;

beforeAll(async () => {
  region = await LocalRegionProcess.start("host-routing");
  http = new LbClient({ port: region.ports.http });
  https = new LbClient({ port: region.ports.https, tls: { ca: region.certificate } });
  await deployEchoService(region);
});

afterAll(async () => {
  http?.close();
  https?.close();
  await region?.stop();
});

/** Host header → the environment whose services must answer. */
const HOSTS = [
  ["qa.localhost", "qa"],
  ["QA.LOCALHOST:8080", "qa"],
  ["localhost", "prod"],
  ["www.example.org", "prod"],
  ["qa.localhost.example.org", "prod"],
] as const;

describe("host and path routing", () => {
  it.each(HOSTS)("Host %s reaches the %s API and media server", async (host, env) => {
    const api = await http.json<VersionInfo>({ host, path: "/api/v1/version" });
    expect(api.image).toContain(`/api-${env}`);
    const media = await http.json<VersionInfo>({ host, path: "/media/version" });
    expect(media.image).toContain(`/media-server-${env}`);
    expect(await http.json({ host, path: "/healthz" })).toEqual({ status: "ok" });
    expect(await http.json({ host, path: "/media/healthz" })).toEqual({ status: "ok" });
  });

  it("sends /media/* to the media server and every other path to the API", async () => {
    const host = "qa.localhost";
    // Each app answers an unknown path with its own 404, so the body says who answered.
    const mediaMiss = await http.get({ host, path: "/media/no-such-page" });
    expect(mediaMiss.status).toBe(404);
    expect(JSON.parse(mediaMiss.body)).toEqual({ error: "nothing at /media/no-such-page" });
    const apiMiss = await http.get({ host, path: "/mediaX/healthz" });
    expect(apiMiss.status).toBe(404);
    expect(JSON.parse(apiMiss.body)).toMatchObject({ error: "NotFound" });
    const home = await http.get({ host, path: "/" });
    expect(home.status).toBe(200);
    expect(home.headers["content-type"]).toMatch(/text\/html/);
    const schema = await http.json<Record<string, unknown>>({ host, path: "/api/v1/schema" });
    expect(Object.keys(schema).length).toBeGreaterThan(0);
  });

  it("serves the media server's demo page at /media/", async () => {
    const demo = await http.get({ host: "qa.localhost", path: "/media/" });
    expect(demo.status).toBe(200);
    expect(demo.headers["content-type"]).toMatch(/text\/html/);
  });
});

describe("WebSocket upgrades to /kurento", () => {
  it.each([
    ["ws", "qa.localhost"],
    ["ws", "localhost"],
    ["wss", "qa.localhost"],
    ["wss", "localhost"],
  ] as const)("%s with Host %s: a JSON-RPC ping gets a pong", async (scheme, host) => {
    const port = scheme === "ws" ? region.ports.http : region.ports.https;
    const socket = await KurentoSocket.open(
      `${scheme}://127.0.0.1:${port}/kurento`,
      host,
      scheme === "wss" ? region.certificate : undefined,
    );
    try {
      const answer = await socket.call("ping", { interval: 240_000 });
      expect(answer.error).toBeUndefined();
      expect(answer.result?.value).toBe("pong");
    } finally {
      await socket.close();
    }
  });

  it("lands on the media server of the Host's environment", async () => {
    const stats = async (host: string) =>
      (await http.json<{ pipelines: number }>({ host, path: "/media/stats" })).pipelines;
    expect(await stats("qa.localhost")).toBe(0);
    const socket = await KurentoSocket.open(`ws://127.0.0.1:${region.ports.http}/kurento`, "qa.localhost");
    try {
      const created = await socket.call("create", { type: "MediaPipeline", constructorParams: {} });
      expect(created.error).toBeUndefined();
      // qa runs one media-server task, so its stats are that task's; prod's two tasks saw nothing.
      expect(await stats("qa.localhost")).toBe(1);
      expect(await stats("localhost")).toBe(0);
      expect(await stats("localhost")).toBe(0);
      await socket.call("release", { object: created.result?.value });
      expect(await stats("qa.localhost")).toBe(0);
    } finally {
      await socket.close();
    }
  });
});

describe("HTTPS on the https port", () => {
  it.each([
    ["qa.localhost", "qa"],
    ["localhost", "prod"],
  ] as const)("%s serves %s with the generated certificate", async (host, env) => {
    const api = await https.json<VersionInfo>({ host, path: "/api/v1/version" });
    expect(api.image).toContain(`/api-${env}`);
    const media = await https.json<VersionInfo>({ host, path: "/media/version" });
    expect(media.image).toContain(`/media-server-${env}`);
  });

  it("is refused by a client that does not trust the generated certificate", async () => {
    const untrusting = new LbClient({ port: region.ports.https, tls: {} });
    try {
      await expect(untrusting.get({ host: "localhost", path: "/healthz" })).rejects.toThrow(/certificate/i);
    } finally {
      untrusting.close();
    }
  });
});

describe("X-Forwarded-* headers", () => {
  it("tell the app the client address, the protocol and the listener port (HTTP)", async () => {
    const echo = await http.json<Echo>({
      host: ECHO.host,
      path: "/who",
      headers: { "x-forwarded-for": "203.0.113.7" },
    });
    expect(echo.path).toBe("/who");
    expect(echo.headers["x-forwarded-for"]).toBe("203.0.113.7, 127.0.0.1");
    expect(echo.headers["x-forwarded-proto"]).toBe("http");
    expect(echo.headers["x-forwarded-port"]).toBe(String(region.ports.http));
    expect(echo.headers.host).toBe(ECHO.host);
  });

  it("say https behind the HTTPS listener", async () => {
    // Node's TLS does not accept the certificate's *.localhost for echo.localhost (a wildcard needs
    // three labels there), so the handshake names localhost while the Host header picks the echo.
    const echo = await https.json<Echo>({ host: ECHO.host, path: "/who", tlsName: "localhost" });
    expect(echo.headers["x-forwarded-for"]).toBe("127.0.0.1");
    expect(echo.headers["x-forwarded-proto"]).toBe("https");
    expect(echo.headers["x-forwarded-port"]).toBe(String(region.ports.https));
  });
});

describe("the environment each API runs in", () => {
  it.each([
    ["api-qa", "qa"],
    ["api-prod", "prod"],
  ] as const)("%s is started with ENVIRONMENT=%s and logs it as env", async (service, env) => {
    const { ecs, logs } = region.clients();
    const [running] =
      (await ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [service] }))).services ?? [];
    const described = await ecs.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: running?.taskDefinition }),
    );
    const [container] = described.taskDefinition?.containerDefinitions ?? [];
    expect(container?.environment).toContainEqual({ name: "ENVIRONMENT", value: env });

    // The API's own start line, from the task's awslogs group: the logger's env is what it was told.
    const group = container?.logConfiguration?.options?.["awslogs-group"];
    const started = await waitFor(
      `${service}'s "api listening" line in ${group}`,
      async () => {
        const found = await logs.send(
          new FilterLogEventsCommand({ logGroupName: group, filterPattern: '"api listening"' }),
        );
        return found.events?.length ? found.events : undefined;
      },
      15_000,
      500,
    );
    for (const line of started) expect(JSON.parse(line.message ?? "{}")).toMatchObject({ env });
  });
});
