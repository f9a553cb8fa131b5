import { existsSync, readdirSync, rmSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { expect, it } from "vitest";
import { startTestService } from "./helpers/service.js";

// SIGTERM's HTTP half: /healthz turns 503 at once, a request in flight still finishes, then the
// listener closes.

it("answers 503 on /healthz while draining, finishes the upload in flight, then closes", async () => {
  const svc = await startTestService({ ROLE: "api" });
  const { key } = await svc.addKey("alice");
  const port = new URL(svc.url).port;
  const upload = request({
    host: "127.0.0.1",
    port,
    method: "PUT",
    path: "/api/v1/objects/drain/big.bin",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/octet-stream" },
  });
  const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
    upload.on("response", (res) => {
      let body = "";
      res.on("data", (c) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    upload.on("error", reject);
  });
  upload.write(Buffer.alloc(64 * 1024, 1));
  const folder = join(svc.dir, "objects", "users", "alice", "drain");
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline && !(existsSync(folder) && readdirSync(folder).length > 0))
    await new Promise((r) => setTimeout(r, 20));
  expect(readdirSync(folder).some((f) => f.startsWith("big.bin.partial"))).toBe(true);

  const stopped = svc.service.stop();
  const health = await fetch(`${svc.url}/healthz`, { headers: { connection: "close" } });
  expect(health.status).toBe(503);
  expect(await health.json()).toEqual({ status: "draining" });

  upload.end(Buffer.alloc(64 * 1024, 2));
  const result = await response;
  expect(result.status).toBe(201);
  expect(JSON.parse(result.body)).toEqual({ object: "objects://drain/big.bin", size: 128 * 1024 });
  await stopped;
  await expect(fetch(`${svc.url}/healthz`)).rejects.toThrow();
  rmSync(svc.dir, { recursive: true, force: true });
}, 30_000);
