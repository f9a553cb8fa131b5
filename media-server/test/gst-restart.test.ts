import { describe, expect, it } from "vitest";
import { runningGstPids } from "../src/media/gst-process.js";
import { serverWatchingGstSpawns } from "./helpers/gst-spawns.js";
import { filterPipeline, TestRpc } from "./helpers/rpc-client.js";

describe("a GStreamer process that dies", () => {
  const { server, spawned } = serverWatchingGstSpawns();

  it("is restarted, and the pipeline raises an Error event saying so", async () => {
    const rpc = await TestRpc.open(server().url);
    const { pipeline, endpoint, filter } = await filterPipeline(rpc, "EdgeDetectFilter");
    await rpc.invoke(endpoint, "connect", { sink: filter });
    await rpc.invoke(filter, "connect", { sink: endpoint });
    await expect.poll(() => spawned.length, { timeout: 10_000 }).toBe(1);

    process.kill(spawned[0]!, "SIGKILL");
    const error = await rpc.waitForEvent((e) => e.type === "Error");
    expect(error.data).toMatchObject({
      type: "GSTREAMER_PROCESS_FAILED",
      description: expect.stringMatching(/restarted/),
    });
    await expect.poll(() => spawned.length, { timeout: 10_000 }).toBe(2);
    expect(runningGstPids.has(spawned[1]!)).toBe(true);

    await rpc.value("release", { object: pipeline });
    expect(runningGstPids.size).toBe(0);
    await rpc.close();
  });
});
