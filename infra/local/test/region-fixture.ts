import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RegionPlugin } from "../src/contracts.js";
import { type RegionHandle, startRegion } from "../src/region.js";

// A region on a free port in a fresh temp folder, and SDK clients pointed at it.

export interface TestRegion extends RegionHandle {
  client<T>(ctor: new (config: Record<string, unknown>) => T, extra?: Record<string, unknown>): T;
  cleanup(): Promise<void>;
}

export async function startTestRegion(plugins: RegionPlugin[] = [], stateDir?: string): Promise<TestRegion> {
  const dir = stateDir ?? mkdtempSync(join(tmpdir(), "local-region-test-"));
  const handle = await startRegion({ stateDir: dir, awsEndpointPort: 0, plugins, log: () => {} });
  return {
    ...handle,
    client: (ctor, extra = {}) =>
      new ctor({
        endpoint: handle.endpoint,
        region: "us-east-1",
        credentials: {
          accessKeyId: handle.credentials.accessKeyId,
          secretAccessKey: handle.credentials.secretAccessKey,
        },
        maxAttempts: 1,
        ...extra,
      }),
    cleanup: async () => {
      await handle.stop();
      if (!stateDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A port that was free a moment ago (the listener binds it next). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface Backend {
  port: number;
  server: Server;
  requests: IncomingMessage[];
  close(): Promise<void>;
}

/** A real HTTP backend on 127.0.0.1. */
export async function startBackend(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<Backend> {
  const requests: IncomingMessage[] = [];
  const server = createServer((req, res) => {
    requests.push(req);
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    server,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Polls until the check returns a value, or fails after the deadline. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
