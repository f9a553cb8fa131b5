import WebSocket from "ws";
import type { ConnectionRecord } from "./event-log-check.js";

// A client of the API's job-event WebSocket (GET /api/v1/ws) through the load balancer that behaves
// as a dashboard should: when the service closes it (its task drains), it opens a new connection with
// ?lastMod=<the last seq it saw>, which the load balancer sends to a task that is not draining. It
// keeps every seq it received and every connection's open and close, for event-log-check.ts.

export interface ResumingOptions {
  port: number;
  /** The environment's Host (qa.localhost, localhost). */
  host: string;
  apiKey: string;
  /** How long it keeps trying to reconnect after a close, 250 ms apart. */
  reconnectForMs?: number;
}

export class ResumingEventClient {
  readonly received: number[] = [];
  readonly connections: ConnectionRecord[] = [];
  /** Upgrade attempts that failed while reconnecting (status or error). */
  readonly refusals: string[] = [];
  private socket: WebSocket | undefined;
  private stopped = false;
  private reconnecting: Promise<void> | undefined;

  private constructor(private readonly options: ResumingOptions) {}

  static async start(options: ResumingOptions): Promise<ResumingEventClient> {
    const client = new ResumingEventClient(options);
    await client.connect(undefined);
    return client;
  }

  /** The seq the first connection started after (its hello's lastMod). */
  get from(): number {
    return this.connections[0]?.helloLastMod ?? 0;
  }

  /** The last seq seen (events, else the latest hello): what a reconnect asks for. */
  lastSeq(): number {
    return (
      this.received.at(-1) ??
      this.connections.findLast((c) => c.helloLastMod !== undefined)?.helloLastMod ??
      0
    );
  }

  private connect(lastMod: number | undefined): Promise<void> {
    const query = lastMod === undefined ? "" : `?lastMod=${lastMod}`;
    const socket = new WebSocket(`ws://127.0.0.1:${this.options.port}/api/v1/ws${query}`, {
      headers: { host: this.options.host, authorization: `Bearer ${this.options.apiKey}` },
      handshakeTimeout: 10_000,
    });
    const record: ConnectionRecord = { openedAt: 0, ...(lastMod !== undefined && { lastMod }) };
    return new Promise<void>((resolve, reject) => {
      let opened = false;
      const timer = setTimeout(() => {
        socket.terminate();
        reject(new Error("no hello from the API in 10 s"));
      }, 10_000);
      socket.on("message", (data) => {
        const message = JSON.parse(String(data)) as { type?: string; seq?: number; lastMod?: number };
        if (message.type === "hello") {
          record.openedAt = Date.now();
          record.helloLastMod = message.lastMod;
          this.connections.push(record);
          this.socket = socket;
          opened = true;
          clearTimeout(timer);
          resolve();
        } else if (message.type === "event" && typeof message.seq === "number")
          this.received.push(message.seq);
      });
      socket.once("unexpected-response", (_req, res) => {
        clearTimeout(timer);
        reject(new Error(`upgrade refused: ${res.statusCode}`));
        socket.terminate();
      });
      socket.on("error", (error) => {
        if (!opened) {
          clearTimeout(timer);
          reject(error);
        }
      });
      socket.once("close", (code) => {
        if (!opened) return;
        record.closedAt = Date.now();
        record.closeCode = code;
        record.byClient = this.stopped;
        if (!this.stopped) this.reconnecting = this.reconnect();
      });
    });
  }

  private async reconnect(): Promise<void> {
    const until = Date.now() + (this.options.reconnectForMs ?? 60_000);
    while (!this.stopped && Date.now() < until) {
      try {
        return await this.connect(this.lastSeq());
      } catch (error) {
        this.refusals.push((error as Error).message);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  }

  /** Closes the current connection (1000) and stops reconnecting. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.reconnecting;
    const socket = this.socket;
    if (!socket || socket.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        socket.terminate();
        resolve();
      }, 5_000);
      socket.once("close", () => {
        clearTimeout(timer);
        resolve();
      });
      socket.close(1000);
    });
  }
}
