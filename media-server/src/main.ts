import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import winston from "winston";
import { loadConfig } from "./config.js";
import { fetchInstancePublicIp, fetchTaskNetwork } from "./http/ecs-metadata.js";
import { startServer } from "./server.js";

const log = winston.createLogger({
  level: process.env.LOG_LEVEL ?? "info",
  format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
  transports: [new winston.transports.Console()],
});

/** public/ sits beside main.js in an image (the bundle), next to src/ in the source tree, next to dist/ once compiled. */
function findPublicDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = ["public", "../public", "../../public"].map((dir) => path.resolve(here, dir));
  return candidates.find((dir) => existsSync(path.join(dir, "index.html"))) ?? candidates[1]!;
}

async function main(): Promise<void> {
  const config = loadConfig(process.env, findPublicDir());
  let image = config.imageUri ?? "unknown";
  if (config.ecsMetadataUri) {
    // On ECS: the image we run, the host ports mapped to our UDP ports, the host's address.
    const task = await fetchTaskNetwork(config.ecsMetadataUri).catch((e: unknown) => {
      log.warn("task metadata unavailable", { error: String(e) });
      return undefined;
    });
    if (task?.image) image = task.image;
    for (const [containerPort, hostPort] of task?.udpPorts ?? [])
      config.advertisedPorts.set(containerPort, hostPort);
    config.publicIp ??= task?.hostIp ?? (await fetchInstancePublicIp());
  }
  const server = await startServer(config, log, () => image);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info("draining: health is 503, new sessions refused", {
      signal,
      stopTimeoutMs: config.stopTimeoutMs,
    });
    server.drain();
    await waitForSessionsOrTimeout(server, config.stopTimeoutMs);
    log.info("stop timeout reached or no connected session left: telling clients to reconnect");
    await server.close();
    process.exit(0);
  };
  // One client's request must never end everybody's sessions: log and keep serving.
  process.on("unhandledRejection", (reason) => log.error("unhandled rejection", { error: String(reason) }));
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}

/**
 * Waits while a connected client still has media running. A session whose client went away has
 * nobody to finish for (that client reconnects to another task), so it does not hold up the stop.
 */
async function waitForSessionsOrTimeout(server: Awaited<ReturnType<typeof startServer>>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  const connectedWithMedia = () =>
    server.service.sessions.all().some((session) => session.notify !== undefined && session.owned.size > 0);
  while (Date.now() < deadline && connectedWithMedia()) {
    await new Promise((r) => setTimeout(r, 250));
  }
}

main().catch((e: unknown) => {
  log.error("media server failed to start", { error: e instanceof Error ? e.message : String(e) });
  process.exit(1);
});
