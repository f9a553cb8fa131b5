import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gstSpawnObservers, runningGstPids } from "../src/media/gst-process.js";
import { isGstAlive } from "./helpers/process.js";
import { TestRpc } from "./helpers/rpc-client.js";
import { startTestServer } from "./helpers/server.js";
import { makeOffer } from "./helpers/werift-client.js";

type Server = Awaited<ReturnType<typeof startTestServer>>;

const PIPELINES = 200;
const DROPPED_CLIENTS = 50;
const WORKERS = 4;

const openFds = () => readdirSync("/proc/self/fd").length;
const udpSockets = () => {
  const inodes = new Set(
    readFileSync("/proc/self/net/udp", "utf8")
      .split("\n")
      .slice(1)
      .map((l) => l.trim().split(/\s+/)[9])
      .filter(Boolean),
  );
  return readdirSync("/proc/self/fd").filter((fd) => {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`));
      return m !== null && inodes.has(m[1]);
    } catch {
      return false;
    }
  }).length;
};

async function until(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
}

/** A pipeline that really runs: endpoint → flip → endpoint (a gst-launch), negotiated with a werift peer. */
async function busyPipeline(rpc: TestRpc, negotiate: boolean): Promise<string> {
  const pipeline = await rpc.value("create", { type: "MediaPipeline" });
  const endpoint = await rpc.value("create", {
    type: "WebRtcEndpoint",
    constructorParams: { mediaPipeline: pipeline },
  });
  const flip = await rpc.value("create", {
    type: "GStreamerFilter",
    constructorParams: { mediaPipeline: pipeline, command: "videoflip method=vertical-flip" },
  });
  await rpc.invoke(endpoint, "connect", { sink: flip });
  await rpc.invoke(flip, "connect", { sink: endpoint });
  if (negotiate) {
    const offer = await makeOffer();
    await rpc.invoke(endpoint, "processOffer", { offer: offer.sdp });
    await rpc.invoke(endpoint, "gatherCandidates");
    await offer.close();
  }
  return pipeline;
}

describe("soak: nothing leaks", () => {
  let server: Server;
  const spawned: number[] = [];
  const observe = (pid: number) => spawned.push(pid);

  beforeAll(async () => {
    server = await startTestServer({
      SESSION_TIMEOUT_MS: "300",
      MAX_PIPELINES: "400",
      MAX_PIPELINES_PER_SESSION: "400",
    });
    gstSpawnObservers.add(observe);
  });
  afterAll(async () => {
    gstSpawnObservers.delete(observe);
    await server.close();
  });

  it(`creates and releases ${PIPELINES} pipelines, drops ${DROPPED_CLIENTS} clients, and frees every process, socket and fd`, async () => {
    // Warm up lazily created things (werift's crypto, module caches) before the baseline.
    const warm = await TestRpc.open(server.url);
    await warm.value("release", { object: await busyPipeline(warm, true) });
    await warm.close();
    await until(() => runningGstPids.size === 0, 10_000);
    const baseline = { fds: openFds(), udp: udpSockets() };

    await Promise.all(
      Array.from({ length: WORKERS }, async (_, w) => {
        const rpc = await TestRpc.open(server.url);
        for (let i = w; i < PIPELINES; i += WORKERS) {
          const pipeline = await busyPipeline(rpc, i % 10 === 0);
          await rpc.value("release", { object: pipeline });
        }
        await rpc.close();
      }),
    );

    for (let i = 0; i < DROPPED_CLIENTS; i += 5) {
      await Promise.all(
        Array.from({ length: 5 }, async (_, j) => {
          const rpc = await TestRpc.open(server.url);
          await busyPipeline(rpc, (i + j) % 5 === 0);
          rpc.drop();
        }),
      );
    }

    await until(() => server.service.registry.pipelineCount() === 0 && runningGstPids.size === 0, 30_000);
    expect(server.service.registry.pipelineCount()).toBe(0);
    expect(spawned.length).toBeGreaterThanOrEqual(PIPELINES + DROPPED_CLIENTS);
    expect(spawned.filter(isGstAlive)).toEqual([]);
    await until(() => openFds() <= baseline.fds && udpSockets() <= baseline.udp, 15_000);
    expect({ fds: openFds(), udp: udpSockets() }).toEqual(baseline);
  }, 300_000);
});
