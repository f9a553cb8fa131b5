import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ANALYSIS_NICE } from "../src/media/thread-priority.js";
import { serverWatchingGstSpawns } from "./helpers/gst-spawns.js";
import { filterPipeline, TestRpc } from "./helpers/rpc-client.js";

/** Name and nice value of each thread of a process (/proc/<pid>/task/<tid>/stat, field 19). */
function threads(pid: number): Array<{ name: string; nice: number }> {
  try {
    return readdirSync(`/proc/${pid}/task`).map((tid) => {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
      const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      return { name, nice: Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16]) };
    });
  } catch {
    return [];
  }
}

describe("a filter's analysis branch", () => {
  const { server, spawned } = serverWatchingGstSpawns();

  it("runs at a lower priority than the video path in the real GStreamer process", async () => {
    const rpc = await TestRpc.open(server().url);
    const { pipeline, endpoint, filter } = await filterPipeline(rpc, "FaceOverlayFilter");
    await rpc.invoke(endpoint, "connect", { sink: filter });
    await rpc.invoke(filter, "connect", { sink: endpoint });
    await expect.poll(() => spawned.length, { timeout: 10_000 }).toBe(1);
    const pid = spawned[0]!;

    const analysis = () => threads(pid).filter((t) => t.name === "r0f0_aq:src");
    await expect.poll(() => analysis().map((t) => t.nice), { timeout: 10_000 }).toContain(ANALYSIS_NICE);
    expect(analysis().every((t) => t.nice === ANALYSIS_NICE)).toBe(true);
    // The thread that receives, decodes and encodes the video keeps the default.
    expect(threads(pid).find((t) => t.name === "udpsrc0:src")?.nice).toBe(0);

    await rpc.value("release", { object: pipeline });
    await rpc.close();
  });
});
