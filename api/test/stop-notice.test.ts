import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { stopRequested } from "../src/http/stop-notice.js";
import { startTestService, type TestService } from "./helpers/service.js";

// ECS marks a task it is stopping (DesiredStatus STOPPED in the task metadata) at the start of its
// drain, long before SIGTERM; the load balancer cuts the WebSockets still open at the drain's end
// without a close frame. The API closes them itself when it reads the mark: 1001, and refuses new ones.

describe("stopRequested", () => {
  it("is true only for a task document whose DesiredStatus is STOPPED", () => {
    expect(stopRequested({ DesiredStatus: "STOPPED", KnownStatus: "RUNNING" })).toBe(true);
    expect(stopRequested({ DesiredStatus: "RUNNING" })).toBe(false);
    expect(stopRequested(null)).toBe(false);
    expect(stopRequested("STOPPED")).toBe(false);
  });
});

describe("the event WebSocket when ECS stops the task", () => {
  let desired = "RUNNING";
  const metadata = createServer((req, res) => {
    const task = { TaskARN: "arn:aws:ecs:local:000000000000:task/platform/t1", DesiredStatus: desired };
    const body = req.url?.endsWith("/task") ? task : { Name: "api", DesiredStatus: desired, Labels: {} };
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  });
  let svc: TestService;

  beforeAll(async () => {
    await new Promise<void>((resolve) => metadata.listen(0, "127.0.0.1", resolve));
    const { port } = metadata.address() as AddressInfo;
    svc = await startTestService({
      ROLE: "api",
      ECS_CONTAINER_METADATA_URI_V4: `http://127.0.0.1:${port}/v4/t1/api`,
    });
  });

  afterAll(async () => {
    await svc?.stop();
    metadata.close();
  });

  const open = async (key: string) => {
    const ws = new WebSocket(`${svc.url.replace("http", "ws")}/api/v1/ws`, {
      headers: { authorization: `Bearer ${key}` },
    });
    const status = await new Promise<number>((resolve, reject) => {
      ws.once("message", () => resolve(101));
      ws.once("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
      ws.once("error", reject);
    });
    return { ws, status };
  };

  it("closes every socket with 1001 once the task is marked STOPPED, before any SIGTERM, and refuses new ones", async () => {
    const { key } = await svc.addKey("alice");
    const { ws, status } = await open(key);
    expect(status).toBe(101);
    const closed = new Promise<{ code: number; reason: string }>((resolve) =>
      ws.once("close", (code, reason) => resolve({ code, reason: String(reason) })),
    );
    desired = "STOPPED";
    const timeout = new Promise<"none">((resolve) => setTimeout(() => resolve("none"), 10_000).unref());
    expect(await Promise.race([closed, timeout])).toEqual({ code: 1001, reason: "task stopping" });
    expect((await open(key)).status).toBe(503);
    // Still serving HTTP: only ECS's SIGTERM, after the drain, stops the service.
    expect((await fetch(`${svc.url}/healthz`)).status).toBe(200);
  }, 30_000);
});
