import type { ChildProcess } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { isGstAlive, startServerProcess } from "./helpers/process.js";
import { filterPipeline, TestRpc } from "./helpers/rpc-client.js";

// A server killed with SIGKILL runs no cleanup, so its GStreamer children must die by themselves.

/** The PIDs of `pid`'s children that run gst-launch-1.0, from /proc. */
function gstChildren(pid: number): number[] {
  const tasks = readdirSync(`/proc/${pid}/task`);
  const children = tasks.flatMap((task) =>
    readFileSync(`/proc/${pid}/task/${task}/children`, "utf8").split(" ").filter(Boolean).map(Number),
  );
  return children.filter(isGstAlive);
}

describe("SIGKILL", () => {
  let server: ChildProcess | undefined;
  let gst: number[] = [];
  afterAll(() => {
    if (server?.exitCode === null && server.signalCode === null) server.kill("SIGKILL");
    for (const pid of gst.filter(isGstAlive)) process.kill(pid, "SIGKILL");
  });

  it("leaves no GStreamer process behind: the children get the parent-death signal", async () => {
    const started = await startServerProcess({});
    server = started.child;
    const rpc = await TestRpc.open(started.url);
    const { endpoint, filter } = await filterPipeline(rpc, "EdgeDetectFilter");
    await rpc.invoke(endpoint, "connect", { sink: filter });
    await rpc.invoke(filter, "connect", { sink: endpoint });
    const serverPid = server.pid!;
    await expect.poll(() => gstChildren(serverPid).length, { timeout: 15_000 }).toBeGreaterThan(0);
    // Past its start-up bus messages: a gst-launch still writing would die of SIGPIPE anyway, one
    // playing quietly (no bus message, as in a long session) is what outlived the server.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    gst = gstChildren(serverPid);
    expect(gst.length).toBeGreaterThan(0);
    expect(gst.every(isGstAlive)).toBe(true);

    server.kill("SIGKILL");
    await expect.poll(() => gst.filter(isGstAlive), { timeout: 10_000 }).toEqual([]);
    await rpc.close().catch(() => undefined);
  });
});
