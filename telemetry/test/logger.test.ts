import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { accessLog } from "../src/access-log.js";
import { addLogContext, withLogContext } from "../src/context.js";
import { createLogger } from "../src/logger.js";
import { captureLines } from "../src/testing.js";

const identity = { service: "api", env: "qa", version: "1.4.0", taskId: "0f1e2d3c" } as const;

describe("the logger", () => {
  it("writes one JSON object per line with time, level, message and the process's identity", async () => {
    const { stream, lines } = captureLines();
    const log = createLogger({ ...identity, stream });
    log.warn("job failed", { jobId: "j-1", userId: "alice", event: "JobFailed" });
    log.debug("below the level");
    await expect.poll(() => lines.length).toBe(1);
    expect(lines[0]).toEqual({
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      level: "warn",
      message: "job failed",
      service: "api",
      env: "qa",
      version: "1.4.0",
      taskId: "0f1e2d3c",
      jobId: "j-1",
      userId: "alice",
      event: "JobFailed",
    });
  });

  it("adds the context in progress to every line, across awaits, and the caller's fields win", async () => {
    const { stream, lines } = captureLines();
    const log = createLogger({ ...identity, stream });
    await withLogContext({ requestId: "r-1" }, async () => {
      await sleep(5);
      addLogContext({ userId: "alice" });
      log.info("inside");
      log.info("overridden", { requestId: "explicit" });
    });
    log.info("outside");
    await expect.poll(() => lines.length).toBe(3);
    expect(lines.map((l) => [l.message, l.requestId, l.userId])).toEqual([
      ["inside", "r-1", "alice"],
      ["overridden", "explicit", "alice"],
      ["outside", undefined, undefined],
    ]);
  });
});

describe("the access log on node:http", () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  it("logs one line per request, carries the request id through the handler's lines, and echoes it", async () => {
    const { stream, lines } = captureLines();
    const log = createLogger({ ...identity, service: "media-server", stream });
    const access = accessLog(log);
    server = createServer((req, res) =>
      access(req, res, async () => {
        await sleep(2);
        log.info("handling");
        res.statusCode = req.url?.startsWith("/fail") ? 500 : 200;
        res.end("ok");
      }),
    );
    await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const traced = await fetch(`${base}/media/healthz?token=secret`, {
      headers: { "X-Amzn-Trace-Id": "Root=1-67891233-abcdef012345678912345678" },
    });
    expect(traced.headers.get("x-request-id")).toBe("1-67891233-abcdef012345678912345678");
    const failed = await fetch(`${base}/fail`, { method: "POST" });
    const generated = failed.headers.get("x-request-id");
    expect(generated).toMatch(/^[0-9a-f-]{36}$/);

    await expect.poll(() => lines.filter((l) => l.message === "request").length).toBe(2);
    const requests = lines.filter((l) => l.message === "request");
    expect(requests[0]).toMatchObject({
      level: "http",
      service: "media-server",
      method: "GET",
      path: "/media/healthz",
      status: 200,
      requestId: "1-67891233-abcdef012345678912345678",
    });
    expect(typeof requests[0]!.durationMs).toBe("number");
    expect(requests[1]).toMatchObject({
      level: "warn",
      method: "POST",
      path: "/fail",
      status: 500,
      requestId: generated,
    });
    const handling = lines.filter((l) => l.message === "handling").map((l) => l.requestId);
    expect(handling).toEqual(["1-67891233-abcdef012345678912345678", generated]);
  });
});
