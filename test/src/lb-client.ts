import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import type { Socket } from "node:net";

// Requests to the load balancer on 127.0.0.1 with the Host header that picks the environment
// (Node's resolver does not resolve qa.localhost; the load balancer only looks at the header).

export interface LbResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** Whether the request went over a connection an earlier request had opened (keep-alive). */
  reusedConnection: boolean;
}

export interface LbTarget {
  port: number;
  /** HTTPS, trusting `ca` (a PEM) when given, else only the system's authorities. */
  tls?: { ca?: string };
  /**
   * "keep-alive" (default): requests share a pool of persistent connections, as a browser's do;
   * "new": every request opens its own connection and closes it (Connection: close).
   */
  connections?: "keep-alive" | "new";
}

export interface LbRequest {
  host: string;
  path: string;
  headers?: Record<string, string>;
  timeoutMs?: number;
  /** The name TLS checks the certificate against, when not the Host header's. */
  tlsName?: string;
}

/** What a pooled connection has done, so a request that fails on it can say so. */
interface ConnectionUse {
  openedAt: number;
  /** When its last answer ended. */
  lastUsedAt: number;
  requests: number;
}

/**
 * The error of a request that failed on a kept-alive connection, with the connection's age, how long
 * it sat idle before this request and how many it carried: a reset after a long idle is the client
 * racing the server's keep-alive close, a reset mid-stream is not.
 */
export function connectionError(
  error: Error,
  use: ConnectionUse | undefined,
  idleMs: number,
  sentAt: number,
): Error {
  if (!use || use.requests <= 1) return error;
  const wrapped = new Error(
    `${error.message} (request ${use.requests} on a connection opened ${sentAt - use.openedAt} ms before, idle ${idleMs} ms)`,
  );
  return Object.assign(wrapped, { code: (error as NodeJS.ErrnoException).code });
}

export class LbClient {
  private readonly agent: HttpAgent;
  private readonly uses = new WeakMap<Socket, ConnectionUse>();

  constructor(private readonly target: LbTarget) {
    const options = { keepAlive: true, maxSockets: 16 };
    this.agent = target.tls ? new HttpsAgent({ ...options, ...target.tls }) : new HttpAgent(options);
  }

  get(request: LbRequest): Promise<LbResponse> {
    const send = this.target.tls ? httpsRequest : httpRequest;
    const hostname = request.tlsName ?? request.host.replace(/:\d+$/, "");
    return new Promise((resolve, reject) => {
      const sentAt = Date.now();
      let use: ConnectionUse | undefined;
      let idleMs = 0;
      const req = send(
        {
          host: "127.0.0.1",
          port: this.target.port,
          path: request.path,
          headers: { ...request.headers, host: request.host },
          // agent false: a one-off agent, so a connection of its own that closes after the answer.
          agent: this.target.connections === "new" ? false : this.agent,
          ...(this.target.connections === "new" && this.target.tls),
          // TLS checks the certificate against the name a browser would use, not 127.0.0.1.
          ...(this.target.tls && { servername: hostname }),
        },
        (res) => {
          let body = "";
          res.setEncoding("utf8");
          res.on("data", (chunk: string) => {
            body += chunk;
          });
          res.on("end", () => {
            if (use) use.lastUsedAt = Date.now();
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body,
              reusedConnection: req.reusedSocket,
            });
          });
          res.on("error", reject);
        },
      );
      req.on("socket", (socket: Socket) => {
        use = this.uses.get(socket) ?? { openedAt: sentAt, lastUsedAt: sentAt, requests: 0 };
        idleMs = sentAt - use.lastUsedAt;
        use.requests += 1;
        this.uses.set(socket, use);
      });
      req.setTimeout(request.timeoutMs ?? 10_000, () => req.destroy(new Error("request timed out")));
      req.on("error", (error) => reject(connectionError(error, use, idleMs, sentAt)));
      req.end();
    });
  }

  /** GET and parse a JSON body; fails with the status and body when it is not a 200 JSON answer. */
  async json<T>(request: LbRequest): Promise<T> {
    const response = await this.get(request);
    if (response.status !== 200)
      throw new Error(`${request.host}${request.path}: ${response.status} ${response.body.slice(0, 200)}`);
    return JSON.parse(response.body) as T;
  }

  close(): void {
    this.agent.destroy();
  }
}

/** The clients a suite opens (one per listener and connection mode), closed together at its end. */
export class LbClients {
  private readonly opened: LbClient[] = [];

  open(target: LbTarget): LbClient {
    const client = new LbClient(target);
    this.opened.push(client);
    return client;
  }

  closeAll(): void {
    for (const client of this.opened.splice(0)) client.close();
  }
}

/** What GET /api/v1/version and /media/version answer. */
export interface VersionInfo {
  version: string;
  build: string;
  commit: string;
  image: string;
}
