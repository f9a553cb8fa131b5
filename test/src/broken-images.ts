import type { ECRClient } from "@aws-sdk/client-ecr";
import { packImage } from "@platform/image-format";
import { type PushResult, pushImage } from "@platform/pipelines/image/index";

// Images that are broken the ways a bad release is, each a few lines of Node in an image of its own
// (its own digest), pushed to a service's ECR repository like any build. They log JSON lines as the
// API does, so CloudWatch Logs and the metric filters see them. Each stands in for the API's
// container: it listens on the PORT the task runner passes (or not).

export type BrokenKind = "crash" | "unhealthy" | "5xx" | "oom";

const LOG = `const log = (level, message, extra = {}) => console.log(JSON.stringify({ level, message, ...extra }));`;

const SOURCES: Record<BrokenKind, string> = {
  // A missing setting found at start: the process exits before it listens.
  crash: `${LOG}
log("error", "startup failed: DATABASE_URL points at a database that does not exist");
process.exit(1);
`,
  // Listens, but its health endpoint moved: the target group's check path answers 404 forever.
  unhealthy: `${LOG}
const http = require("node:http");
const server = http.createServer((req, res) => {
  const status = req.url === "/health" ? 200 : 404;
  res.writeHead(status, { "content-type": "text/plain" });
  res.end(status === 200 ? "ok" : "not found");
});
server.listen(Number(process.env.PORT), "127.0.0.1", () => log("info", "listening", { port: process.env.PORT }));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
`,
  // Healthy (the check passes) but every other request fails: a 500 and an error line each.
  "5xx": `${LOG}
const http = require("node:http");
const server = http.createServer((req, res) => {
  if (req.url === "/healthz") {
    res.writeHead(200, { "content-type": "application/json" });
    res.end('{"status":"ok"}');
    return;
  }
  res.writeHead(500, { "content-type": "application/json" });
  res.end('{"error":"InternalError","message":"the release broke every route"}');
  log("error", "request failed", { path: req.url, status: 500 });
});
server.listen(Number(process.env.PORT), "127.0.0.1", () => log("info", "listening", { port: process.env.PORT }));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
`,
  // Warms a cache at start that never fits: 64 MiB more every 50 ms, each page written (resident),
  // up to 2 GiB (twice the API's hard limit), then it would listen. The region kills it at the container's hard limit first.
  oom: `${LOG}
const chunks = [];
log("info", "warming the cache");
const grow = () => {
  if (chunks.length * 64 >= 2048) {
    log("info", "cache warm");
    require("node:http").createServer((_q, s) => s.end("ok")).listen(Number(process.env.PORT), "127.0.0.1");
    return;
  }
  chunks.push(Buffer.alloc(64 * 1024 * 1024, chunks.length + 1));
  setTimeout(grow, 50);
};
grow();
`,
};

/** The image of one kind of broken release, pushed to `repository` under a tag naming it. */
export async function pushBrokenImage(
  ecr: ECRClient,
  repository: string,
  kind: BrokenKind,
  containerPort: number,
): Promise<PushResult> {
  const packed = await packImage({
    files: [{ path: "app/server.js", content: SOURCES[kind] }],
    config: {
      Cmd: ["node", "server.js"],
      WorkingDir: "/app",
      ExposedPorts: { [`${containerPort}/tcp`]: {} },
      Labels: { "org.opencontainers.image.title": `broken-${kind}` },
    },
  });
  return pushImage(ecr, repository, `broken-${kind}`, packed);
}

/**
 * An image from a registry outside ECR that has no such repository or tag (a typo in a registry
 * host, a tag never published): `ecs deploy` can only warn that it can't check it, and ECS fails
 * to pull it (CannotPullContainerError) when a task starts.
 */
export function missingImageUri(repository: string): string {
  return `registry.example.com/${repository}-typo:never-published`;
}
