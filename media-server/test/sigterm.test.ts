import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import { afterAll, describe, expect, it } from "vitest";
import { startServerProcess } from "./helpers/process.js";
import { TestRpc } from "./helpers/rpc-client.js";

describe("SIGTERM", () => {
  let child: ChildProcess | undefined;
  afterAll(() => {
    if (child?.exitCode === null) child.kill("SIGKILL");
  });

  it("drains: 503, no new sessions, running sessions go on, then clients are told to reconnect and it exits", async () => {
    const started = await startServerProcess({
      STOP_TIMEOUT: "3",
      APP_VERSION: "1.2.3",
      BUILD_TIME: "2026-11-22T08:00:00Z",
      GIT_COMMIT: "abc1234",
      IMAGE_URI: "media-server:1.2.3",
    });
    child = started.child;
    expect(await (await fetch(`${started.url}/media/version`)).json()).toEqual({
      version: "1.2.3",
      build: "2026-11-22T08:00:00Z",
      commit: "abc1234",
      image: "media-server:1.2.3",
    });
    const running = await TestRpc.open(started.url);
    const pipeline = await running.value("create", { type: "MediaPipeline" });
    const exited = once(child, "exit");

    child.kill("SIGTERM");
    await expect
      .poll(async () => (await fetch(`${started.url}/media/healthz`)).status, { timeout: 5000 })
      .toBe(503);
    const late = await TestRpc.open(started.url);
    expect((await late.call("create", { type: "MediaPipeline" })).error).toMatchObject({
      code: 40005,
      message: expect.stringMatching(/shutting down/),
    });
    expect(await running.invoke(pipeline, "getName")).toBe(pipeline);
    expect(running.events).toEqual([]);

    const notice = await running.waitForEvent((e) => e.type === "ServerShuttingDown", 10_000);
    expect(notice.data).toMatchObject({ reconnect: true });
    const [code] = await exited;
    expect(code).toBe(0);
  });

  it("does not wait the stop timeout for a session whose client went away", async () => {
    const started = await startServerProcess({ STOP_TIMEOUT: "60" });
    child = started.child;
    const gone = await TestRpc.open(started.url);
    await gone.value("create", { type: "MediaPipeline" });
    await gone.close();
    const exited = once(child, "exit");
    const signalledAt = Date.now();

    child.kill("SIGTERM");
    const [code] = await exited;

    expect(code).toBe(0);
    // Far below the 60 s stop timeout: nobody was left to finish for.
    expect(Date.now() - signalledAt).toBeLessThan(30_000);
  });
});
