import { type IncomingMessage, type Server, STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocket, WebSocketServer } from "ws";
import type { JobEvent } from "../model/job.js";
import { authenticate, bearerOf } from "./auth.js";
import type { AppContext, Caller } from "./context.js";
import { HttpError } from "./errors.js";

// GET /api/v1/ws?lastMod=<seq>: every event after seq (that the caller may see), then live events.
// Events come from the store (workers in other processes write them), polled while anyone listens;
// a write committed in this process (a worker slot, a submission) is read at once, not at the next poll.

const PATH = "/api/v1/ws";
const PAGE = 500;

interface Client {
  socket: WebSocket;
  caller: Caller;
  seq: number;
  alive: boolean;
}

export class EventStream {
  private readonly wss = new WebSocketServer({
    noServer: true,
    maxPayload: 4096,
    handleProtocols: (protocols) => (protocols.has("bearer") ? "bearer" : false),
  });
  private readonly clients = new Set<Client>();
  private pollTimer: NodeJS.Timeout | undefined;
  private pingTimer: NodeJS.Timeout | undefined;
  private polling = false;
  /** A commit came while a poll ran: its events may be past what that poll read. */
  private pollAgain = false;
  private unsubscribe: (() => void) | undefined;
  /** The task is being stopped: new clients go elsewhere. */
  private goingAway = false;

  constructor(
    private readonly ctx: AppContext,
    private readonly pollMs = 250,
    private readonly pingMs = 30_000,
  ) {}

  attach(server: Server): void {
    server.on("upgrade", (req, socket, head) => void this.upgrade(req, socket, head));
    this.pollTimer = setInterval(() => void this.poll(), this.pollMs);
    this.unsubscribe = this.ctx.store.onCommit(() => void this.poll());
    this.pingTimer = setInterval(() => this.ping(), this.pingMs);
    this.pollTimer.unref();
    this.pingTimer.unref();
  }

  private refuse(socket: Duplex, status: number, message: string): void {
    const body = JSON.stringify({ error: "WebSocketRefused", message });
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? "Error"}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }

  private async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on("error", () => undefined);
    const url = new URL(req.url ?? "/", "http://localhost");
    if (url.pathname !== PATH) return this.refuse(socket, 404, `no WebSocket at ${url.pathname}`);
    if (this.ctx.draining.value || this.goingAway) return this.refuse(socket, 503, "server is draining");
    let caller: Caller;
    try {
      caller = await authenticate(this.ctx.store, bearerOf(req));
    } catch (error) {
      return this.refuse(socket, error instanceof HttpError ? error.status : 401, (error as Error).message);
    }
    const lastMod = url.searchParams.get("lastMod");
    if (lastMod !== null && !/^\d{1,15}$/.test(lastMod))
      return this.refuse(socket, 400, "lastMod must be a non-negative integer (an event seq)");
    const seq = lastMod === null ? await this.ctx.store.lastSeq() : Number(lastMod);
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const client: Client = { socket: ws, caller, seq, alive: true };
      this.clients.add(client);
      ws.on("pong", () => {
        client.alive = true;
      });
      ws.on("close", () => this.clients.delete(client));
      ws.on("error", () => ws.terminate());
      ws.send(JSON.stringify({ type: "hello", lastMod: seq }));
      void this.poll();
    });
  }

  private visible(client: Client, event: JobEvent): boolean {
    return client.caller.admin || event.userID === client.caller.userid;
  }

  private async poll(): Promise<void> {
    if (this.clients.size === 0) return;
    if (this.polling) {
      this.pollAgain = true;
      return;
    }
    this.polling = true;
    this.pollAgain = false;
    try {
      for (let round = 0; round < 20; round++) {
        const from = Math.min(...[...this.clients].map((c) => c.seq));
        const events = await this.ctx.store.eventsSince(from, PAGE);
        if (events.length === 0) break;
        for (const client of this.clients) this.deliver(client, events);
        if (events.length < PAGE) break;
      }
    } catch (error) {
      this.ctx.log.warn("event stream poll failed", { error: (error as Error).message });
    } finally {
      this.polling = false;
    }
    if (this.pollAgain) void this.poll();
  }

  private deliver(client: Client, events: JobEvent[]): void {
    for (const event of events) {
      if (event.seq <= client.seq) continue;
      client.seq = event.seq;
      if (this.visible(client, event) && client.socket.readyState === WebSocket.OPEN)
        client.socket.send(JSON.stringify({ type: "event", ...event, ts: new Date(event.ts).toISOString() }));
    }
  }

  private ping(): void {
    for (const client of this.clients) {
      if (!client.alive) {
        client.socket.terminate();
        continue;
      }
      client.alive = false;
      client.socket.ping();
    }
  }

  /** ECS is stopping the task (stop-notice.ts): every client is closed with 1001 now, and new ones refused. */
  goAway(reason: string): void {
    this.goingAway = true;
    for (const client of this.clients) client.socket.close(1001, reason);
  }

  close(): void {
    this.unsubscribe?.();
    clearInterval(this.pollTimer);
    clearInterval(this.pingTimer);
    for (const client of this.clients) client.socket.close(1001, "server shutting down");
    this.wss.close();
  }
}
