import { readFileSync } from "node:fs";
import { request } from "node:http";
import { request as httpsRequest } from "node:https";
import { join } from "node:path";
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DeregisterTargetsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  ModifyLoadBalancerAttributesCommand,
  ModifyTargetGroupAttributesCommand,
  RegisterTargetsCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket, { WebSocketServer } from "ws";
import type { RegionPlugin, TargetGroups } from "../src/contracts.js";
import {
  type Backend,
  freePort,
  freePorts,
  startBackend,
  startTestRegion,
  type TestRegion,
  waitFor,
} from "../src/testing/index.js";

// The load balancer with real backends on 127.0.0.1, configured only through the ELBv2 API.

let region: TestRegion;
let elb: ElasticLoadBalancingV2Client;
let targetGroups: TargetGroups;
let httpPort: number;
let httpsPort: number;
const backends: Backend[] = [];
const tg: Record<string, string> = {};

const capture: RegionPlugin = {
  name: "capture",
  start: (services) => {
    targetGroups = services.targetGroups;
  },
  stop: () => {},
};

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function get(path: string, host: string, port = httpPort): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, headers: { host }, agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => {
        body += c;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

/** A backend that answers who it is and what it saw; `/slow` waits for release; `/healthz` by flag. */
interface BackendState {
  healthy: boolean;
  parked: (() => void)[];
}

async function namedBackend(name: string, state: BackendState = { healthy: true, parked: [] }) {
  const backend = await startBackend((req, res) => {
    if (req.url === "/healthz") {
      res.writeHead(state.healthy ? 200 : 503).end();
      return;
    }
    if (req.method === "POST") {
      res.writeHead(200, { "content-type": "application/octet-stream" });
      req.pipe(res);
      return;
    }
    if (req.url === "/slow") {
      state.parked.push(() => res.end(`${name} slow done`));
      return;
    }
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ name, url: req.url, headers: req.headers }));
  });
  backends.push(backend);
  return { backend, state };
}

async function createGroup(name: string): Promise<string> {
  const out = await elb.send(
    new CreateTargetGroupCommand({
      Name: name,
      Protocol: "HTTP",
      Port: 80,
      HealthCheckPath: "/healthz",
      HealthCheckIntervalSeconds: 5,
      HealthCheckTimeoutSeconds: 2,
      HealthyThresholdCount: 2,
      UnhealthyThresholdCount: 2,
    }),
  );
  const arn = out.TargetGroups![0]!.TargetGroupArn!;
  await elb.send(
    new ModifyTargetGroupAttributesCommand({
      TargetGroupArn: arn,
      Attributes: [{ Key: "deregistration_delay.timeout_seconds", Value: "30" }],
    }),
  );
  tg[name] = arn;
  return arn;
}

async function states(arn: string): Promise<Record<string, string>> {
  const out = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }));
  return Object.fromEntries(
    (out.TargetHealthDescriptions ?? []).map((d) => [
      String(d.Target?.Port),
      `${d.TargetHealth?.State}|${d.TargetHealth?.Reason ?? ""}`,
    ]),
  );
}

const qa: BackendState = { healthy: true, parked: [] };
const a: BackendState = { healthy: true, parked: [] };
const b: BackendState = { healthy: true, parked: [] };
const sick: BackendState = { healthy: false, parked: [] };
const releaseAll = (state: BackendState) => {
  for (const release of state.parked.splice(0)) release();
};
let ports: Record<string, number> = {};
let loadBalancerArn = "";

beforeAll(async () => {
  region = await startTestRegion([capture]);
  elb = region.client(ElasticLoadBalancingV2Client);
  [httpPort, httpsPort] = (await freePorts(2)) as [number, number];
  const lb = (await elb.send(new CreateLoadBalancerCommand({ Name: "edge" }))).LoadBalancers![0]!;
  loadBalancerArn = lb.LoadBalancerArn!;
  for (const name of ["api-prod", "api-qa", "media-qa", "sick", "empty", "refused", "unused"])
    await createGroup(name);
  const listener = (
    await elb.send(
      new CreateListenerCommand({
        LoadBalancerArn: lb.LoadBalancerArn,
        Port: httpPort,
        Protocol: "HTTP",
        DefaultActions: [{ Type: "forward", TargetGroupArn: tg["api-prod"] }],
      }),
    )
  ).Listeners![0]!;
  await elb.send(
    new CreateListenerCommand({
      LoadBalancerArn: lb.LoadBalancerArn,
      Port: httpsPort,
      Protocol: "HTTPS",
      Certificates: [{ CertificateArn: "arn:aws:acm:us-east-1:000000000000:certificate/local" }],
      DefaultActions: [{ Type: "forward", TargetGroupArn: tg["api-prod"] }],
    }),
  );
  const rule = async (priority: number, conditions: object[], action: object) =>
    elb.send(
      new CreateRuleCommand({
        ListenerArn: listener.ListenerArn,
        Priority: priority,
        Conditions: conditions as never,
        Actions: [action as never],
      }),
    );
  const host = (v: string) => ({ Field: "host-header", Values: [v] });
  const path = (...v: string[]) => ({ Field: "path-pattern", Values: v });
  const fwd = (name: string) => ({ Type: "forward", TargetGroupArn: tg[name] });
  await rule(10, [host("qa.localhost"), path("/kurento", "/media/*")], fwd("media-qa"));
  await rule(11, [host("qa.localhost")], fwd("api-qa"));
  await rule(20, [host("sick.localhost")], fwd("sick"));
  await rule(21, [host("empty.localhost")], fwd("empty"));
  await rule(22, [host("refused.localhost")], fwd("refused"));
  await rule(30, [path("/fixed")], {
    Type: "fixed-response",
    FixedResponseConfig: { StatusCode: "418", ContentType: "text/plain", MessageBody: "teapot" },
  });
  await rule(31, [path("/old/*")], {
    Type: "redirect",
    RedirectConfig: { Protocol: "HTTPS", Port: "443", Path: "/new/#{path}", StatusCode: "HTTP_301" },
  });

  const prodA = await namedBackend("prod-a", a);
  const prodB = await namedBackend("prod-b", b);
  const qaApi = await namedBackend("qa-api", qa);
  const qaMedia = await namedBackend("qa-media");
  const sickOne = await namedBackend("sick", sick);
  const unusedOne = await namedBackend("unused");
  // A WebSocket echo server for the media group.
  const wss = new WebSocketServer({ server: qaMedia.backend.server });
  wss.on("connection", (socket, req) =>
    socket.on("message", (m) => socket.send(`${req.headers["x-forwarded-proto"]}:${String(m)}`)),
  );
  ports = {
    prodA: prodA.backend.port,
    prodB: prodB.backend.port,
    qaApi: qaApi.backend.port,
    qaMedia: qaMedia.backend.port,
    sick: sickOne.backend.port,
    refused: await freePort(),
    unused: unusedOne.backend.port,
  };
  const register = (name: string, ...p: number[]) =>
    elb.send(
      new RegisterTargetsCommand({
        TargetGroupArn: tg[name],
        Targets: p.map((Port) => ({ Id: "i-local", Port })),
      }),
    );
  await register("api-prod", ports.prodA!, ports.prodB!);
  await register("api-qa", ports.qaApi!);
  await register("media-qa", ports.qaMedia!);
  await register("sick", ports.sick!);
  await register("refused", ports.refused!);
  await register("unused", ports.unused!);
  const initial = await states(tg["api-prod"]!);
  expect(Object.values(initial).every((s) => s.startsWith("initial|Elb."))).toBe(true);
  await waitFor("targets to pass two health checks", async () => {
    const all = await Promise.all(["api-prod", "api-qa", "media-qa"].map((n) => states(tg[n]!)));
    return all.every((s) => Object.values(s).every((v) => v.startsWith("healthy"))) || undefined;
  });
}, 30_000);

afterAll(async () => {
  await region?.cleanup();
  for (const backend of backends) await backend.close();
});

describe("load balancer", () => {
  it("routes by host and path, preserves Host and adds X-Forwarded-*", async () => {
    const media = await get("/media/version", "qa.localhost:8080");
    expect(JSON.parse(media.body).name).toBe("qa-media");
    const api = await get("/api/v1/version?x=1", "QA.localhost");
    const seen = JSON.parse(api.body) as { name: string; url: string; headers: Record<string, string> };
    expect(seen.name).toBe("qa-api");
    expect(seen.url).toBe("/api/v1/version?x=1");
    expect(seen.headers.host).toBe("QA.localhost");
    expect(seen.headers["x-forwarded-for"]).toBe("127.0.0.1");
    expect(seen.headers["x-forwarded-proto"]).toBe("http");
    expect(seen.headers["x-forwarded-port"]).toBe(String(httpPort));
    expect(seen.headers["x-amzn-trace-id"]).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
    const prod = await get("/", "www.example.com");
    expect(prod.status).toBe(200);
    expect(["prod-a", "prod-b"]).toContain(JSON.parse(prod.body).name);
  });

  it("streams request and response bodies both ways", async () => {
    const payload = Buffer.alloc(3 * 1024 * 1024, 7);
    const echoed = await new Promise<Buffer>((resolve, reject) => {
      const req = request(
        {
          host: "127.0.0.1",
          port: httpPort,
          path: "/upload",
          method: "POST",
          headers: { host: "qa.localhost" },
          agent: false,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => resolve(Buffer.concat(chunks)));
        },
      );
      req.on("error", reject);
      req.write(payload.subarray(0, 1024 * 1024));
      setTimeout(() => req.end(payload.subarray(1024 * 1024)), 50);
    });
    expect(echoed.equals(payload)).toBe(true);
  });

  it("round-robins over healthy targets", async () => {
    const names = new Set<string>();
    for (let i = 0; i < 6; i++) names.add(JSON.parse((await get("/", "localhost")).body).name);
    expect([...names].sort()).toEqual(["prod-a", "prod-b"]);
  });

  it("serves fixed responses and redirects", async () => {
    const fixed = await get("/fixed", "localhost");
    expect([fixed.status, fixed.body]).toEqual([418, "teapot"]);
    const moved = await get("/old/page?q=1", "localhost:8080");
    expect(moved.status).toBe(301);
    expect(moved.headers.location).toBe("https://localhost/new/old/page?q=1");
  });

  it("answers 503 with no registered target and 502 when the target refuses connections", async () => {
    const empty = await get("/", "empty.localhost");
    expect(empty.status).toBe(503);
    expect(empty.headers.server).toBe("awselb/2.0");
    expect(empty.body).toContain("<h1>503 Service Temporarily Unavailable</h1>");
    const refused = await get("/", "refused.localhost");
    expect(refused.status).toBe(502);
    expect(refused.body).toContain("<h1>502 Bad Gateway</h1>");
  });

  it("marks failing targets unhealthy with ELBv2's reason and still fails open to them", async () => {
    await waitFor(
      "sick target to turn unhealthy",
      async () => (await states(tg.sick!))[String(ports.sick)]?.startsWith("unhealthy") || undefined,
    );
    expect((await states(tg.sick!))[String(ports.sick)]).toBe("unhealthy|Target.ResponseCodeMismatch");
    expect(JSON.parse((await get("/", "sick.localhost")).body).name).toBe("sick");
    expect((await states(tg.unused!))[String(ports.unused)]).toBe("unused|Target.NotInUse");
  }, 20_000);

  it("passes WebSocket upgrades through", async () => {
    const socket = new WebSocket(`ws://127.0.0.1:${httpPort}/kurento`, { headers: { host: "qa.localhost" } });
    const reply = await new Promise<string>((resolve, reject) => {
      socket.on("open", () => socket.send("ping"));
      socket.on("message", (m) => resolve(String(m)));
      socket.on("error", reject);
    });
    socket.close();
    expect(reply).toBe("http:ping");
  });

  it("terminates TLS with the generated certificate on the HTTPS listener", async () => {
    const reply = await new Promise<{ status: number; proto: string }>((resolve, reject) => {
      // Verified against the generated certificate, for a name it must cover.
      const ca = readFileSync(join(region.stateDir, "tls", "localhost.crt"));
      const req = httpsRequest(
        {
          host: "127.0.0.1",
          port: httpsPort,
          path: "/",
          servername: "qa.localhost",
          headers: { host: "localhost" },
          ca,
        },
        (res) => {
          let body = "";
          res.on("data", (c) => {
            body += c;
          });
          res.on("end", () =>
            resolve({ status: res.statusCode ?? 0, proto: JSON.parse(body).headers["x-forwarded-proto"] }),
          );
        },
      );
      req.on("error", reject);
      req.end();
    });
    expect(reply).toEqual({ status: 200, proto: "https" });
  });

  it("drains a deregistered target: its in-flight request finishes, new requests go elsewhere", async () => {
    // Park a slow request on prod-a (round robin: ask until prod-a holds one).
    let slow: Promise<Reply> | undefined;
    for (let i = 0; i < 4 && !slow; i++) {
      const pending = get("/slow", "localhost");
      await waitFor("slow request parked", () => (a.parked.length + b.parked.length > 0 ? true : undefined));
      if (a.parked.length > 0) slow = pending;
      else {
        releaseAll(b);
        await pending;
      }
    }
    expect(slow, "a request parked on prod-a").toBeDefined();
    await elb.send(
      new DeregisterTargetsCommand({
        TargetGroupArn: tg["api-prod"],
        Targets: [{ Id: "i-local", Port: ports.prodA }],
      }),
    );
    expect((await states(tg["api-prod"]!))[String(ports.prodA)]).toBe(
      "draining|Target.DeregistrationInProgress",
    );
    for (let i = 0; i < 4; i++) expect(JSON.parse((await get("/", "localhost")).body).name).toBe("prod-b");
    releaseAll(a);
    expect((await slow!).body).toBe("prod-a slow done");
    await waitFor("deregistration to complete", async () =>
      (await states(tg["api-prod"]!))[String(ports.prodA)] === undefined ? true : undefined,
    );
  });

  it("resolves TargetGroups.deregister once the target has drained", async () => {
    const arn = tg["api-qa"]!;
    const pending = get("/slow", "qa.localhost");
    await waitFor("slow request parked", () => (qa.parked.length > 0 ? true : undefined));
    let done = false;
    const deregistered = targetGroups.deregister(arn, [{ id: "i-local", port: ports.qaApi! }]).then(() => {
      done = true;
    });
    await new Promise((r) => setTimeout(r, 200));
    expect(done).toBe(false);
    expect(targetGroups.health(arn)[0]?.state).toBe("draining");
    releaseAll(qa);
    await pending;
    await deregistered;
    expect(targetGroups.health(arn)).toEqual([]);
    expect((await get("/api", "qa.localhost")).status).toBe(503);
  });

  it("keeps a WebSocket to a draining target open until the deregistration delay, then closes it", async () => {
    const arn = tg["media-qa"]!;
    await elb.send(
      new ModifyTargetGroupAttributesCommand({
        TargetGroupArn: arn,
        Attributes: [{ Key: "deregistration_delay.timeout_seconds", Value: "1" }],
      }),
    );
    const socket = new WebSocket(`ws://127.0.0.1:${httpPort}/kurento`, { headers: { host: "qa.localhost" } });
    await new Promise((resolve, reject) => {
      socket.once("open", resolve);
      socket.once("error", reject);
    });
    const closed = new Promise<number>((resolve) => socket.once("close", () => resolve(Date.now())));
    const started = Date.now();
    await elb.send(
      new DeregisterTargetsCommand({
        TargetGroupArn: arn,
        Targets: [{ Id: "i-local", Port: ports.qaMedia }],
      }),
    );
    expect((await states(arn))[String(ports.qaMedia)]).toBe("draining|Target.DeregistrationInProgress");
    const echoed = await new Promise<string>((resolve) => {
      socket.once("message", (m) => resolve(String(m)));
      socket.send("still here");
    });
    expect(echoed).toBe("http:still here");
    expect((await closed) - started).toBeGreaterThanOrEqual(900);
    await waitFor("media target gone", async () =>
      (await states(arn))[String(ports.qaMedia)] === undefined ? true : undefined,
    );
  });

  it("answers 504 when the target does not answer within the idle timeout", async () => {
    await elb.send(
      new ModifyLoadBalancerAttributesCommand({
        LoadBalancerArn: loadBalancerArn,
        Attributes: [{ Key: "idle_timeout.timeout_seconds", Value: "1" }],
      }),
    );
    const reply = await get("/slow", "localhost");
    expect(reply.status).toBe(504);
    expect(reply.body).toContain("<h1>504 Gateway Time-out</h1>");
    releaseAll(b);
  });

  it("stops counting a request in flight when its client hangs up, so the drain completes", async () => {
    const arn = tg["api-prod"]!;
    const req = request({
      host: "127.0.0.1",
      port: httpPort,
      path: "/slow",
      headers: { host: "localhost" },
      agent: false,
    });
    req.on("error", () => {});
    req.end();
    await waitFor("slow request parked on prod-b", () => (b.parked.length > 0 ? true : undefined));
    req.destroy();
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    await targetGroups.deregister(arn, [{ id: "i-local", port: ports.prodB! }]);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(targetGroups.health(arn)).toEqual([]);
    releaseAll(b);
  });

  it("closes a WebSocket on which nothing was sent or received for the idle timeout, and keeps a busy one", async () => {
    await elb.send(
      new ModifyLoadBalancerAttributesCommand({
        LoadBalancerArn: loadBalancerArn,
        Attributes: [{ Key: "idle_timeout.timeout_seconds", Value: "1" }],
      }),
    );
    // A target that takes the upgrade and then never sends a frame (no ping), answering only what it is sent.
    const silent = await startBackend((_req, res) => res.writeHead(200).end());
    backends.push(silent);
    new WebSocketServer({ server: silent.server }).on("connection", (s) =>
      s.on("message", (m) => s.send(String(m))),
    );
    await elb.send(
      new RegisterTargetsCommand({
        TargetGroupArn: tg.empty,
        Targets: [{ Id: "i-local", Port: silent.port }],
      }),
    );
    const open = async () => {
      const socket = new WebSocket(`ws://127.0.0.1:${httpPort}/`, { headers: { host: "empty.localhost" } });
      await new Promise((resolve, reject) => {
        socket.once("open", resolve);
        socket.once("error", reject);
      });
      return { socket, closed: new Promise<boolean>((resolve) => socket.once("close", () => resolve(true))) };
    };
    const idle = await open();
    const busy = await open();
    // The busy one sends a message every 200 ms (echoed back) over three idle timeouts.
    for (let i = 0; i < 15; i++) {
      busy.socket.send("tick");
      await new Promise((r) => setTimeout(r, 200));
    }
    const bound = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 10_000));
    expect(await Promise.race([idle.closed, bound])).toBe(true);
    expect(busy.socket.readyState).toBe(WebSocket.OPEN);
    busy.socket.close();
    await busy.closed;
  });
});
