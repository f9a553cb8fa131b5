import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { performance } from "node:perf_hooks";
import { withLogContext } from "./context.js";
import { accessLine, pathOf, requestIdFrom } from "./line.js";
import type { Logger } from "./logger.js";

// One access line per HTTP request, and the request's id in the context of everything it logs.
// The signature is node:http's plus a `next`, which is also an express middleware's.

export type RequestHandler = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;

export function accessLog(log: Logger): RequestHandler {
  return (req, res, next) => {
    const started = performance.now();
    const method = req.method ?? "GET";
    const path = pathOf(req.url);
    const context = { requestId: requestIdFrom(req.headers) ?? randomUUID() };
    res.setHeader("x-request-id", context.requestId);
    // close comes for a finished response and for one cut short by the client alike.
    res.once("close", () => {
      const entry = accessLine({
        method,
        path,
        status: res.statusCode,
        durationMs: performance.now() - started,
      });
      const { level, message, ...fields } = entry;
      log.log(level, message, { ...context, ...fields });
    });
    withLogContext(context, next);
  };
}
