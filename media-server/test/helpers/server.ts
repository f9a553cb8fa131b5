import path from "node:path";
import { fileURLToPath } from "node:url";
import { createLogger, type Logger } from "@platform/telemetry";
import { loadConfig, type ServerConfig } from "../../src/config.js";
import { type RunningServer, startServer } from "../../src/server.js";

const here = path.dirname(fileURLToPath(import.meta.url));
/** media-server/, from test/helpers/ in the sources or dist/test/helpers/ once compiled. */
export const mediaServerDir = path.resolve(
  here,
  here.includes(`${path.sep}dist${path.sep}`) ? "../../.." : "../..",
);

const quiet = createLogger({
  service: "media-server",
  env: "test",
  version: "test",
  taskId: "test",
  silent: true,
});

/** The server in this process on 127.0.0.1 and a free port, with overrides for limits and timeouts. */
export async function startTestServer(
  env: Record<string, string> = {},
  log: Logger = quiet,
): Promise<RunningServer & { config: ServerConfig }> {
  const config = loadConfig({ HOST: "127.0.0.1", PORT: "0", ...env }, path.join(mediaServerDir, "public"));
  const server = await startServer(config, log, () => "test-image");
  return { ...server, config };
}

/**
 * Where the browser tests point: MEDIA_SERVER_URL (e.g. the local region's load balancer) when set,
 * else the server this test started.
 */
export function targetUrl(started: string): string {
  return process.env.MEDIA_SERVER_URL ?? started;
}
