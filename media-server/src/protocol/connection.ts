import type { Logger } from "@platform/telemetry";
import type { WebSocket } from "ws";
import { RpcError } from "./errors.js";
import type { ClientLink, KurentoService } from "./kurento-service.js";
import { envelopeSchema } from "./messages.js";

type Id = number | string | null;

export interface ConnectionLimits {
  maxMessageBytes: number;
  /** A socket that answers no ping within this time is dead (half-open TCP): it is dropped. */
  heartbeatMs: number;
  maxInFlight: number;
}

/**
 * One client's WebSocket: frames in, JSON-RPC envelopes checked, calls to the service, one
 * response per request. Anything a client sends can only earn it an error response.
 */
export function serveConnection(
  ws: WebSocket,
  service: KurentoService,
  limits: ConnectionLimits,
  log: Logger,
): void {
  const { maxMessageBytes } = limits;
  let inFlight = 0;
  const send = (message: object) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
  };
  const link: ClientLink = {
    session: undefined,
    notify: (method, params) => send({ jsonrpc: "2.0", method, params }),
  };
  const reply = (id: Id, result: unknown) => send({ jsonrpc: "2.0", id, result });
  const fail = (id: Id, error: RpcError) => send({ jsonrpc: "2.0", id, error: error.toJson() });

  // kurento-client writes its JSON through websocket-stream, which sends binary frames: both are read as UTF-8.
  ws.on("message", (data) => {
    const size = Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : (data as Buffer).byteLength;
    if (size > maxMessageBytes) {
      return fail(
        null,
        new RpcError("INVALID_REQUEST", `message of ${size} bytes exceeds the limit of ${maxMessageBytes}`),
      );
    }
    if (inFlight >= limits.maxInFlight) {
      return fail(
        null,
        new RpcError(
          "INVALID_REQUEST",
          `more than ${limits.maxInFlight} requests in flight; wait for answers`,
        ),
      );
    }
    inFlight++;
    void handleText(
      Array.isArray(data)
        ? Buffer.concat(data).toString("utf8")
        : Buffer.from(data as Buffer).toString("utf8"),
    );
  });
  let alive = true;
  ws.on("pong", () => {
    alive = true;
  });
  const heartbeat = setInterval(() => {
    if (!alive) return ws.terminate();
    alive = false;
    ws.ping();
  }, limits.heartbeatMs);
  heartbeat.unref();
  ws.on("close", () => {
    clearInterval(heartbeat);
    service.disconnected(link);
  });
  ws.on("error", () => {});

  async function handleText(text: string): Promise<void> {
    try {
      await handleRequest(text);
    } finally {
      inFlight--;
    }
  }

  async function handleRequest(text: string): Promise<void> {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return fail(null, new RpcError("PARSE_ERROR", "the message is not valid JSON"));
    }
    if (Array.isArray(json))
      return fail(null, new RpcError("INVALID_REQUEST", "batch requests are not supported"));
    const envelope = envelopeSchema.safeParse(json);
    const id = idOf(json);
    if (!envelope.success) {
      return fail(
        id,
        new RpcError("INVALID_REQUEST", 'a request needs jsonrpc "2.0", a string method and an id'),
      );
    }
    // Responses from the client (to nothing we asked) and notifications need no answer.
    if (envelope.data.id === undefined) return;
    try {
      reply(envelope.data.id, await service.handle(link, envelope.data.method, envelope.data.params));
    } catch (e) {
      if (e instanceof RpcError) return fail(envelope.data.id, e);
      log.error("unexpected error in request", {
        method: envelope.data.method,
        sessionId: link.session?.id,
        error: String(e),
      });
      fail(envelope.data.id, new RpcError("UNEXPECTED_ERROR", "the server failed to process this request"));
    }
  }
}

function idOf(json: unknown): Id {
  const id = (json as { id?: unknown } | null)?.id;
  return typeof id === "number" || typeof id === "string" ? id : null;
}
