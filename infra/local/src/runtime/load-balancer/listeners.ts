import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { Socket } from "node:net";
import type { Elbv2Model } from "../../services/elbv2/model.js";
import type { ListenerRecord } from "../../services/elbv2/state.js";
import type { TlsMaterial } from "./certificate.js";
import type { ForwardingProxy } from "./proxy.js";

// One server per listener port of the model, on 127.0.0.1: started when a listener appears, closed
// when it goes, restarted when its protocol changes. Requests look the listener up at request time,
// so rule and action changes apply to the next request.

interface Running {
  server: Server;
  protocol: "HTTP" | "HTTPS";
  sockets: Set<Socket>;
}

export class ListenerServers {
  private readonly running = new Map<number, Running>();
  private readonly failed = new Map<number, string>();
  private pending: Promise<void> = Promise.resolve();

  constructor(
    private readonly model: Elbv2Model,
    private readonly proxy: ForwardingProxy,
    private readonly tls: TlsMaterial,
    private readonly log: (message: string) => void,
    private readonly host = "127.0.0.1",
  ) {}

  /** Starts and stops servers to match the model; `settled()` resolves when they are bound. */
  sync(): void {
    this.pending = this.pending
      .then(() => this.apply())
      .catch((error) => this.log(`load balancer: ${String(error)}`));
  }

  settled(): Promise<void> {
    return this.pending;
  }

  /** Ports that could not be bound, with the reason. */
  failures(): ReadonlyMap<number, string> {
    return this.failed;
  }

  private listenerOn(port: number): ListenerRecord | undefined {
    return Object.values(this.model.state.listeners).find((l) => l.port === port);
  }

  private async apply(): Promise<void> {
    const wanted = new Map<number, "HTTP" | "HTTPS">();
    for (const l of Object.values(this.model.state.listeners))
      if (!wanted.has(l.port)) wanted.set(l.port, l.protocol);
    for (const [port, run] of this.running) {
      if (wanted.get(port) !== run.protocol) await this.stopServer(port);
    }
    for (const port of this.failed.keys()) if (!wanted.has(port)) this.failed.delete(port);
    for (const [port, protocol] of wanted) {
      if (!this.running.has(port)) await this.startServer(port, protocol);
    }
  }

  private async startServer(port: number, protocol: "HTTP" | "HTTPS"): Promise<void> {
    const onRequest = (req: IncomingMessage, res: ServerResponse) => {
      const listener = this.listenerOn(port);
      if (!listener) {
        res.writeHead(503).end();
        return;
      }
      this.proxy.handleRequest(
        { listener, protocol: listener.protocol === "HTTPS" ? "https" : "http" },
        req,
        res,
      );
    };
    const server =
      protocol === "HTTPS"
        ? createHttpsServer({ key: this.tls.key, cert: this.tls.cert }, onRequest)
        : createHttpServer(onRequest);
    server.keepAliveTimeout = 60_000;
    const sockets = new Set<Socket>();
    server.on("connection", (s: Socket) => {
      sockets.add(s);
      s.once("close", () => sockets.delete(s));
    });
    server.on("upgrade", (req: IncomingMessage, socket: Socket, head: Buffer) => {
      const listener = this.listenerOn(port);
      if (!listener) return void socket.destroy();
      this.proxy.handleUpgrade(
        { listener, protocol: listener.protocol === "HTTPS" ? "https" : "http" },
        req,
        socket,
        head,
      );
    });
    server.on("clientError", (_err, socket: Socket) => {
      if (socket.writable)
        socket.end("HTTP/1.1 400 Bad Request\r\nServer: awselb/2.0\r\nConnection: close\r\n\r\n");
      else socket.destroy();
    });
    try {
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, this.host, () => {
          server.off("error", reject);
          resolve();
        });
      });
      this.running.set(port, { server, protocol, sockets });
      this.failed.delete(port);
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? String(error);
      if (this.failed.get(port) !== reason)
        this.log(`load balancer: cannot listen on ${this.host}:${port} (${reason})`);
      this.failed.set(port, reason);
    }
  }

  private async stopServer(port: number): Promise<void> {
    const run = this.running.get(port);
    if (!run) return;
    this.running.delete(port);
    await new Promise<void>((resolve) => {
      run.server.close(() => resolve());
      for (const s of run.sockets) s.destroy();
    });
  }

  async close(): Promise<void> {
    await this.pending;
    for (const port of [...this.running.keys()]) await this.stopServer(port);
  }
}
