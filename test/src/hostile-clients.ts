import { connect, type Socket } from "node:net";
import { KurentoSocket } from "./kurento-ws.js";

// Slow and hostile clients of the load balancer (issue 15, scenario 6), each bounded in count and in
// time: a client still waiting at its bound is recorded as hung (the server never ended it), then
// destroyed. Every client records what ended it: a status line, a WebSocket close frame, or the
// server closing the connection.

export interface HostileRecord {
  client: string;
  /** "HTTP 400", "close frame 1001", "closed by the server", "hung" (our bound ended it), "error: ...". */
  outcome: string;
  /** From the client's start to its outcome. */
  ms: number;
  /** Bytes the client got to send before its outcome (bodies and trickles). */
  sentBytes?: number;
}

interface RawOptions {
  port: number;
  host: string;
  boundMs: number;
}

/**
 * A raw TCP client: `drive` writes to the socket; the outcome is the first status line or close frame
 * read, else the close. Reading continues after a status line only to see the connection end.
 */
function rawClient(
  client: string,
  options: RawOptions,
  drive: (socket: Socket, sent: (n: number) => void, stopped: () => boolean) => void,
): Promise<HostileRecord> {
  const started = Date.now();
  return new Promise((resolve) => {
    const socket = connect(options.port, "127.0.0.1");
    let sentBytes = 0;
    let outcome: string | undefined;
    let done = false;
    let received = Buffer.alloc(0);
    const finish = (fallback: string) => {
      if (done) return;
      done = true;
      clearTimeout(bound);
      socket.destroy();
      resolve({ client, outcome: outcome ?? fallback, ms: Date.now() - started, sentBytes });
    };
    const bound = setTimeout(() => finish("hung"), options.boundMs);
    let upgraded = false;
    socket.on("data", (chunk: Buffer) => {
      if (outcome) return;
      received = Buffer.concat([received, chunk]).subarray(0, 64 * 1024);
      if (upgraded) {
        outcome = closeFrame(received);
        return;
      }
      const status = readOutcome(received);
      if (status === "HTTP 101") {
        // Frames follow the 101's headers: the outcome is a close frame, or the connection's end.
        upgraded = true;
        received = received.subarray(received.indexOf("\r\n\r\n") + 4);
        outcome = closeFrame(received);
      } else if (status) {
        // The answer; the server may keep the connection open after it.
        outcome = status;
        finish(status);
      }
    });
    socket.on("error", (e) => finish(`error: ${e.message}`));
    socket.on("close", () => finish("closed by the server"));
    socket.on("connect", () =>
      drive(
        socket,
        (n) => {
          sentBytes += n;
        },
        () => done,
      ),
    );
  });
}

/** Pure: the status of an HTTP answer's first line ("HTTP 431"); a 101 only once its headers are complete. */
export function readOutcome(received: Buffer): string | undefined {
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(received.subarray(0, 200).toString("latin1"));
  if (!status) return undefined;
  return status[1] !== "101" || received.includes("\r\n\r\n") ? `HTTP ${status[1]}` : undefined;
}

/** Pure: the first server frame's close code when it is a close frame (opcode 8), unmasked as servers send. */
export function closeFrame(frames: Buffer): string | undefined {
  let at = 0;
  while (at + 2 <= frames.length) {
    const opcode = (frames[at] ?? 0) & 0x0f;
    let length = (frames[at + 1] ?? 0) & 0x7f;
    let header = 2;
    if (length === 126) {
      if (at + 4 > frames.length) return undefined;
      length = frames.readUInt16BE(at + 2);
      header = 4;
    } else if (length === 127) return undefined; // no control frame is that long; not ours to parse
    if (opcode === 8) {
      if (length < 2) return "close frame (no code)";
      if (at + header + 2 > frames.length) return undefined;
      return `close frame ${frames.readUInt16BE(at + header)}`;
    }
    at += header + length;
  }
  return undefined;
}

/** Slowloris: a request line, then one header byte every `byteEveryMs`, never the blank line. */
export function slowloris(
  options: RawOptions & { byteEveryMs: number },
  index: number,
): Promise<HostileRecord> {
  return rawClient(`slowloris`, options, (socket, sent, stopped) => {
    const head = `GET /api/v1/version HTTP/1.1\r\nHost: ${options.host}\r\nX-Slow-${index}: `;
    socket.write(head);
    sent(head.length);
    const tick = setInterval(() => {
      if (stopped() || socket.destroyed) return clearInterval(tick);
      socket.write("a");
      sent(1);
    }, options.byteEveryMs);
    socket.once("close", () => clearInterval(tick));
  });
}

/** A request whose headers are `bytes` long: one header of that size, or `count` headers adding up to it. */
export function oversizedHeaders(
  options: RawOptions & {
    bytes: number;
    split: "one header" | "many headers";
    path: string;
    upgrade?: boolean;
  },
): Promise<HostileRecord> {
  const headers =
    options.split === "one header"
      ? `X-Big: ${"a".repeat(options.bytes)}\r\n`
      : Array.from(
          { length: Math.ceil(options.bytes / 64) },
          (_, i) => `X-H${i}: ${"b".repeat(56)}\r\n`,
        ).join("");
  const upgrade = options.upgrade
    ? "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    : "";
  const request = `GET ${options.path} HTTP/1.1\r\nHost: ${options.host}\r\n${upgrade}${headers}\r\n`;
  return rawClient(
    `${options.bytes / 1024} KiB of headers (${options.split}${options.upgrade ? ", upgrade" : ""})`,
    options,
    (socket, sent) => {
      socket.write(request);
      sent(request.length);
    },
  );
}

/**
 * A body of `bytes` streamed as fast as the connection takes it (Content-Length declared, or chunked
 * when `declared` is "chunked"), stopping at the answer.
 */
export function oversizedBody(
  options: RawOptions & {
    method: "POST" | "PUT";
    path: string;
    headers: Record<string, string>;
    bytes: number;
    declared: number | "chunked";
  },
): Promise<HostileRecord> {
  const lengthHeader =
    options.declared === "chunked" ? "Transfer-Encoding: chunked" : `Content-Length: ${options.declared}`;
  const head = [
    `${options.method} ${options.path} HTTP/1.1`,
    `Host: ${options.host}`,
    "Content-Type: application/json",
    lengthHeader,
    ...Object.entries(options.headers).map(([k, v]) => `${k}: ${v}`),
    "",
    "",
  ].join("\r\n");
  const chunk = Buffer.alloc(64 * 1024, "[");
  const mib = (n: number) => `${Math.round(n / 1024 / 1024)} MiB`;
  const name = `${options.method} ${options.path}, ${mib(options.bytes)} body (${options.declared === "chunked" ? "chunked" : `Content-Length ${mib(options.declared)}`})`;
  return rawClient(name, options, (socket, sent, stopped) => {
    socket.write(head);
    let left = options.bytes;
    const pump = () => {
      while (left > 0 && !stopped() && !socket.destroyed) {
        const piece = chunk.subarray(0, Math.min(chunk.length, left));
        left -= piece.length;
        const framed =
          options.declared === "chunked"
            ? Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from("\r\n")])
            : piece;
        sent(piece.length);
        if (!socket.write(framed)) return void socket.once("drain", pump);
      }
      if (left === 0 && options.declared === "chunked" && !socket.destroyed) socket.write("0\r\n\r\n");
    };
    pump();
  });
}

/**
 * A WebSocket opened with a raw upgrade, then "silent" (reads but never answers a ping: a client that
 * stopped, behind a NAT that still holds the connection) or "fin" (its write side shut at once, reading on).
 */
export function halfClosedWebSocket(
  options: RawOptions & { path: string; headers: Record<string, string>; mode: "silent" | "fin" },
): Promise<HostileRecord> {
  const head = [
    `GET ${options.path} HTTP/1.1`,
    `Host: ${options.host}`,
    "Connection: Upgrade",
    "Upgrade: websocket",
    "Sec-WebSocket-Version: 13",
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
    ...Object.entries(options.headers).map(([k, v]) => `${k}: ${v}`),
    "",
    "",
  ].join("\r\n");
  return rawClient(`WebSocket ${options.path}, ${options.mode}`, options, (socket, sent) => {
    socket.write(head);
    sent(head.length);
    if (options.mode === "fin")
      socket.once("data", (chunk: Buffer) => {
        if (chunk.toString("latin1").startsWith("HTTP/1.1 101")) socket.end();
      });
  });
}

export interface FloodResult {
  pipelines: number;
  endpoints: number;
  offersAnswered: number;
  /** Refusals by their error message's start (limit messages). */
  refusals: Record<string, number>;
  records: HostileRecord[];
}

/**
 * One Kurento JSON-RPC connection that creates pipelines until refused, in each WebRTC endpoints and
 * processOffer on each (and once more on the same endpoint), then releases what it got.
 */
export async function kurentoFlood(
  options: {
    port: number;
    host: string;
    offer: string;
    pipelines: number;
    endpointsPerPipeline: number;
    boundMs: number;
  },
  index: number,
): Promise<FloodResult> {
  const started = Date.now();
  const result: FloodResult = { pipelines: 0, endpoints: 0, offersAnswered: 0, refusals: {}, records: [] };
  const refuse = (message: string) => {
    const key = message.replace(/\d+/g, "N").slice(0, 90);
    result.refusals[key] = (result.refusals[key] ?? 0) + 1;
  };
  const inTime = () => Date.now() - started < options.boundMs;
  let socket: KurentoSocket;
  try {
    socket = await KurentoSocket.open(`ws://127.0.0.1:${options.port}/kurento`, options.host);
  } catch (error) {
    result.records.push({
      client: `kurento flood ${index}`,
      outcome: `error: ${(error as Error).message}`,
      ms: Date.now() - started,
    });
    return result;
  }
  const created: string[] = [];
  let outcome = "refused with JSON-RPC errors, connection kept";
  try {
    for (let p = 0; p < options.pipelines && inTime(); p++) {
      const pipeline = await socket.call("create", { type: "MediaPipeline", constructorParams: {} });
      if (pipeline.error) {
        refuse(pipeline.error.message);
        continue;
      }
      const pipelineId = String(pipeline.result?.value);
      created.push(pipelineId);
      result.pipelines++;
      for (let e = 0; e < options.endpointsPerPipeline && inTime(); e++) {
        const endpoint = await socket.call("create", {
          type: "WebRtcEndpoint",
          constructorParams: { mediaPipeline: pipelineId },
        });
        if (endpoint.error) {
          refuse(endpoint.error.message);
          continue;
        }
        result.endpoints++;
        const object = String(endpoint.result?.value);
        for (let again = 0; again < 2; again++) {
          const answer = await socket.call("invoke", {
            object,
            operation: "processOffer",
            operationParams: { offer: options.offer },
          });
          if (answer.error) refuse(answer.error.message);
          else result.offersAnswered++;
        }
      }
    }
  } catch (error) {
    outcome = `error: ${(error as Error).message}`;
  } finally {
    for (const id of created) await socket.call("release", { object: id }).catch(() => undefined);
    await socket.close();
  }
  result.records.push({ client: `kurento flood ${index}`, outcome, ms: Date.now() - started });
  return result;
}

/** Pure: the records grouped by client kind and outcome, with the longest time to the outcome. */
export function outcomeRows(
  records: readonly HostileRecord[],
): { client: string; outcome: string; count: number; maxMs: number; maxSentBytes: number }[] {
  const groups = new Map<string, HostileRecord[]>();
  for (const r of records) {
    const key = `${r.client}\u0000${r.outcome}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups.values()].map((g) => ({
    client: g[0]?.client ?? "",
    outcome: g[0]?.outcome ?? "",
    count: g.length,
    maxMs: Math.max(...g.map((r) => r.ms)),
    maxSentBytes: Math.max(...g.map((r) => r.sentBytes ?? 0)),
  }));
}

/** Pure: a clear end is a 4xx, a close frame, or the server closing; a hang, an error or a 5xx is not. */
export function isClearOutcome(outcome: string): boolean {
  return (
    /^HTTP 4\d\d$/.test(outcome) ||
    outcome.startsWith("close frame") ||
    outcome === "closed by the server" ||
    outcome.startsWith("refused with JSON-RPC errors")
  );
}
