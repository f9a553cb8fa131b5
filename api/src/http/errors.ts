import type { ErrorRequestHandler, RequestHandler } from "express";
import type { Logger } from "../log.js";
import { errorText } from "../log.js";

// Client mistakes get their 4xx and a message that says what was wrong; anything else is a 500
// without details (logged here, never sent).

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code = codeOf(status),
  ) {
    super(message);
  }
}

function codeOf(status: number): string {
  const names: Record<number, string> = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    405: "MethodNotAllowed",
    409: "Conflict",
    411: "LengthRequired",
    413: "PayloadTooLarge",
    415: "UnsupportedMediaType",
    416: "RangeNotSatisfiable",
    503: "ServiceUnavailable",
  };
  return names[status] ?? "Error";
}

export const badRequest = (message: string) => new HttpError(400, message);
export const notFound = (message: string) => new HttpError(404, message);

/** body-parser's errors: they carry `type` and a 4xx `status`. */
function bodyParserError(error: { type?: string; status?: number; limit?: number }): HttpError | undefined {
  if (error.type === "entity.parse.failed") return new HttpError(400, "request body is not valid JSON");
  if (error.type === "entity.too.large")
    return new HttpError(413, `request body is larger than the limit of ${error.limit ?? "?"} bytes`);
  if (error.type === "encoding.unsupported" || error.type === "charset.unsupported")
    return new HttpError(415, "request body encoding is not supported; send UTF-8 JSON");
  if (error.type === "request.aborted") return new HttpError(400, "request was aborted by the client");
  if (typeof error.status === "number" && error.status >= 400 && error.status < 500)
    return new HttpError(error.status, "the request could not be read");
  return undefined;
}

export function errorHandler(log: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    const known = error instanceof HttpError ? error : bodyParserError(error ?? {});
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (known) {
      res.status(known.status).json({ error: known.code, message: known.message });
      return;
    }
    log.error("request failed", { method: req.method, path: req.path, error: errorText(error) });
    res.status(500).json({ error: "InternalError", message: "internal error" });
  };
}

export const notFoundHandler: RequestHandler = (req, res) => {
  res.status(404).json({ error: "NotFound", message: `no route for ${req.method} ${req.path}` });
};
