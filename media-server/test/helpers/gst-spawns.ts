import { afterAll, beforeAll } from "vitest";
import { gstSpawnObservers } from "../../src/media/gst-process.js";
import { startTestServer } from "./server.js";

type Server = Awaited<ReturnType<typeof startTestServer>>;

/**
 * For a describe block: a test server started before its tests and closed after, and the PIDs of
 * the gst-launch processes it spawns meanwhile, in order.
 */
export function serverWatchingGstSpawns(): { server(): Server; spawned: number[] } {
  let server: Server | undefined;
  const spawned: number[] = [];
  const observe = (pid: number) => spawned.push(pid);
  beforeAll(async () => {
    server = await startTestServer();
    gstSpawnObservers.add(observe);
  });
  afterAll(async () => {
    gstSpawnObservers.delete(observe);
    await server?.close();
  });
  return {
    server: () => {
      if (!server) throw new Error("the test server is not started yet");
      return server;
    },
    spawned,
  };
}
