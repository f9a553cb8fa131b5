import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { accessLog } from "@platform/telemetry";
import express, { type Express } from "express";
import { requireKey } from "./auth.js";
import type { AppContext } from "./context.js";
import { errorHandler, HttpError, notFoundHandler } from "./errors.js";
import { operationRoutes, publicRoutes } from "./info-routes.js";
import { jobRoutes } from "./jobs-routes.js";
import { linkRoutes, objectRoutes } from "./objects-routes.js";

// The express app: public routes, then everything under /api/v1 behind a key.

/**
 * public/ sits beside main.js in an image (the bundle), next to src/ in the source tree, and next
 * to dist/ once compiled; PUBLIC_DIR overrides all three.
 */
function publicDir(): string {
  if (process.env.PUBLIC_DIR) return process.env.PUBLIC_DIR;
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [
    join(here, "public"),
    join(here, "..", "..", "public"),
    join(here, "..", "..", "..", "public"),
  ];
  return candidates.find((dir) => existsSync(join(dir, "index.html"))) ?? candidates[0]!;
}

export function createApp(ctx: AppContext): Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);
  app.set("query parser", "simple");

  app.use(accessLog(ctx.log));
  app.use((req, res, next) => {
    const end = ctx.metrics.httpDuration.startTimer({ method: req.method });
    res.on("finish", () => {
      end();
      ctx.metrics.httpRequests.inc({ method: req.method, status: String(res.statusCode) });
    });
    next();
  });

  app.use(publicRoutes(ctx));
  app.use(ctx.inflight.middleware);
  app.use(express.static(publicDir(), { index: "index.html", maxAge: 0 }));

  const auth = requireKey(ctx.store);
  app.use("/api/v1", objectRoutes(ctx, auth));
  app.use("/api/v1", refuseDeclaredOversize(ctx.bodyLimitBytes));
  app.use("/api/v1", express.json({ limit: ctx.bodyLimitBytes, strict: true }));
  app.use("/api/v1", auth, jobRoutes(ctx), linkRoutes(ctx), operationRoutes(ctx));

  app.use(notFoundHandler);
  app.use(errorHandler(ctx.log));
  return app;
}

/**
 * body-parser reads a body it refuses to its end before answering 413, so a client (no key needed)
 * could make us read 100 MiB, or any amount, per request. A declared length over the limit is refused
 * before its body is read; what the client still sends is dropped for a moment, then the connection
 * closed (closing with bytes unread makes the kernel send a reset, which can destroy the 413 before the
 * client, or the load balancer in front, reads it).
 */
function refuseDeclaredOversize(limit: number): express.RequestHandler {
  return (req, _res, next) => {
    const length = Number(req.headers["content-length"] ?? 0);
    if (!(length > limit)) return next();
    lingerThenClose(req);
    next(new HttpError(413, `request body is larger than the limit of ${limit} bytes`));
  };
}

const LINGER_MS = 2_000;
const LINGER_BYTES = 8 * 1024 * 1024;

function lingerThenClose(req: express.Request): void {
  let dropped = 0;
  const close = () => req.socket.destroy();
  const timer = setTimeout(close, LINGER_MS);
  timer.unref();
  req.on("data", (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > LINGER_BYTES) close();
  });
  req.on("close", () => clearTimeout(timer));
}
