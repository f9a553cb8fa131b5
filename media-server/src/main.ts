import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  createLogger,
  flushLogs,
  type Logger,
  readTaskMetadata,
  type TaskMetadataDocuments,
  taskArnOf,
  taskIdOf,
} from "@platform/telemetry";
import { loadConfig, type ServerConfig } from "./config.js";
import { fetchInstancePublicIp, parseContainerMetadata } from "./http/ecs-metadata.js";
import { publicAddressFromStun } from "./http/stun-address.js";
import { startServer } from "./server.js";

/** Until the config is read, lines go out without a task id; after, every line has one. */
let log: Logger = createLogger({
  service: "media-server",
  env: "unknown",
  version: "unknown",
  taskId: taskIdOf(undefined),
});

function loggerFor(config: ServerConfig, metadata: TaskMetadataDocuments): Logger {
  return createLogger({
    service: "media-server",
    env: config.environment,
    version: config.version.version,
    taskId: taskIdOf(taskArnOf(metadata)),
    level: config.logLevel,
    cloudwatchLogGroup: config.cloudwatchLogGroup,
  });
}

/** public/ sits beside main.js in an image (the bundle), next to src/ in the source tree, next to dist/ once compiled. */
function findPublicDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = ["public", "../public", "../../public"].map((dir) => path.resolve(here, dir));
  return candidates.find((dir) => existsSync(path.join(dir, "index.html"))) ?? candidates[1]!;
}

async function main(): Promise<void> {
  const config = loadConfig(process.env, findPublicDir());
  const metadata = await readTaskMetadata(config.ecsMetadataUri);
  log = loggerFor(config, metadata);
  let image = config.imageUri ?? "unknown";
  if (config.ecsMetadataUri) {
    // On ECS: the image we run, the host ports mapped to our UDP ports, the host's address.
    if (!metadata.container) log.warn("task metadata unavailable", { uri: config.ecsMetadataUri });
    const task = metadata.container ? parseContainerMetadata(metadata.container) : undefined;
    if (task?.image) image = task.image;
    for (const [containerPort, hostPort] of task?.udpPorts ?? [])
      config.advertisedPorts.set(containerPort, hostPort);
    config.publicIp ??= task?.hostIp ?? (await publicAddress(config));
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
    await flushLogs(log, 2000);
    process.exit(0);
  };
  // One client's request must never end everybody's sessions: log and keep serving.
  process.on("unhandledRejection", (reason) => log.error("unhandled rejection", { error: String(reason) }));
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}

/**
 * The instance's public IPv4 when ECS doesn't say it (bridge mode: HostIp 0.0.0.0): STUN first, since
 * IMDS is out of a bridge-mode container's reach at hop limit 1; IMDS for hosts where it is reachable.
 */
async function publicAddress(config: ServerConfig): Promise<string | undefined> {
  const fromStun = config.stunServer ? await publicAddressFromStun(config.stunServer) : undefined;
  if (fromStun) {
    log.info("public address learned from STUN", { publicIp: fromStun, stunServer: config.stunServer?.host });
    return fromStun;
  }
  const fromImds = await fetchInstancePublicIp();
  if (!fromImds)
    log.warn("no public address (STUN and IMDS gave none): host candidates carry the task's own address");
  return fromImds;
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
