import { randomBytes } from "node:crypto";
import {
  Agent,
  type IncomingHttpHeaders,
  type IncomingMessage,
  request,
  type ServerResponse,
} from "node:http";
import { connect, type Socket } from "node:net";
import type { Elbv2Model } from "../../services/elbv2/model.js";
import type { ActionRecord, ListenerRecord } from "../../services/elbv2/state.js";
import { rawErrorResponse, sendErrorPage } from "./error-pages.js";
import { forwardTargetGroup, redirectLocation, selectAction } from "./rules.js";
import type { TargetEntry, TargetRegistry } from "./target-registry.js";

// The data plane of one listener: pick the action, pick a target, forward with X-Forwarded-*,
// stream both ways, count the request in flight for draining; WebSocket upgrades are piped raw.

const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
]);

/** What the proxy tells the metrics (alb-metrics.ts) about each answer. */
export interface RequestObserver {
  targetResponse(at: number, lb: string, tg: string, status: number, responseMs: number): void;
  elbResponse(at: number, lb: string, status: number, tg?: string): void;
}

export interface ListenerContext {
  listener: ListenerRecord;
  protocol: "http" | "https";
}

type Decision =
  | { kind: "forward"; targetGroupArn: string; target: TargetEntry; setCookie?: string | undefined }
  | { kind: "respond"; status: number; headers: Record<string, string>; body: string };

export class ForwardingProxy {
  private readonly agent = new Agent({
    keepAlive: true,
    maxSockets: 256,
    maxFreeSockets: 64,
    timeout: 60_000,
  });

  constructor(
    private readonly model: Elbv2Model,
    private readonly registry: TargetRegistry,
    private readonly observer?: RequestObserver,
    private readonly targetHost = "127.0.0.1",
  ) {}

  private decide(ctx: ListenerContext, req: IncomingMessage, localPort: number): Decision {
    const [path = "/", query = ""] = splitUrl(req.url ?? "/");
    const action: ActionRecord | undefined = selectAction(
      ctx.listener,
      this.model.rulesOf(ctx.listener.arn),
      { host: req.headers.host, path },
    );
    if (!action) return errorDecision(503);
    if (action.type === "fixed-response") {
      const f = action.fixedResponse;
      return {
        kind: "respond",
        status: Number(f.statusCode),
        headers: { "content-type": f.contentType },
        body: f.messageBody ?? "",
      };
    }
    if (action.type === "redirect") {
      const location = redirectLocation(action.redirect, {
        protocol: ctx.protocol,
        host: req.headers.host ?? "localhost",
        port: localPort,
        path,
        query,
      });
      return {
        kind: "respond",
        status: action.redirect.statusCode === "HTTP_301" ? 301 : 302,
        headers: { location },
        body: "",
      };
    }
    const { arn: targetGroupArn, setCookie } = forwardTargetGroup(action, req.headers.cookie);
    if (!targetGroupArn) return errorDecision(503);
    const target = this.registry.pick(targetGroupArn);
    if (!target) return errorDecision(503);
    return { kind: "forward", targetGroupArn, target, setCookie };
  }

  handleRequest(ctx: ListenerContext, req: IncomingMessage, res: ServerResponse): void {
    const decision = this.decide(ctx, req, ctx.listener.port);
    const lb = ctx.listener.loadBalancerArn;
    if (decision.kind === "respond") {
      if (decision.status >= 400) this.observer?.elbResponse(Date.now(), lb, decision.status);
      req.resume();
      if (decision.body === "" && decision.status >= 500) {
        sendErrorPage(res, decision.status);
        return;
      }
      res.writeHead(decision.status, {
        server: "awselb/2.0",
        ...decision.headers,
        "content-length": Buffer.byteLength(decision.body),
      });
      res.end(decision.body);
      return;
    }
    const { targetGroupArn, target, setCookie } = decision;
    const release = this.registry.acquire(targetGroupArn, target);
    res.once("close", release);
    const idleMs = this.idleTimeoutMs(ctx.listener);
    const upstream = request({
      host: this.targetHost,
      port: target.target.port,
      method: req.method,
      path: req.url,
      headers: forwardedHeaders(req, ctx),
      agent: this.agent,
    });
    const sentAt = Date.now();
    const fail = (status: number) => {
      if (!res.headersSent) {
        this.observer?.elbResponse(Date.now(), lb, status, targetGroupArn);
        sendErrorPage(res, status);
      } else if (!res.writableEnded) res.destroy();
    };
    upstream.setTimeout(idleMs, () => {
      fail(504);
      upstream.destroy();
    });
    upstream.on("response", (up) => {
      const now = Date.now();
      this.observer?.targetResponse(now, lb, targetGroupArn, up.statusCode ?? 502, now - sentAt);
      res.writeHead(up.statusCode ?? 502, up.statusMessage, withCookie(stripHopByHop(up.headers), setCookie));
      up.pipe(res);
      up.on("error", () => res.destroy());
      up.on("end", release);
    });
    upstream.on("error", () => fail(502));
    req.on("error", () => upstream.destroy());
    res.on("error", () => upstream.destroy());
    res.on("close", () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  }

  handleUpgrade(ctx: ListenerContext, req: IncomingMessage, client: Socket, head: Buffer): void {
    client.on("error", () => client.destroy());
    const decision = this.decide(ctx, req, ctx.listener.port);
    if (decision.kind !== "forward") {
      client.end(
        decision.kind === "respond" && decision.status >= 500
          ? rawErrorResponse(decision.status)
          : rawErrorResponse(400),
      );
      return;
    }
    const { targetGroupArn, target } = decision;
    const release = this.registry.acquire(targetGroupArn, target);
    const upstream = connect(target.target.port, this.targetHost);
    let connected = false;
    upstream.once("connect", () => {
      connected = true;
      release();
      this.registry.trackConnection(targetGroupArn, target, client);
      // As ALB's idle timeout does: nothing sent or received for that long closes the WebSocket. Else a
      // client that vanished (or stopped reading) holds both connections for as long as the target does
      // not ping it, which a generic load balancer can't count on.
      client.setTimeout(this.idleTimeoutMs(ctx.listener), () => client.destroy());
      upstream.write(rawRequestHead(req, ctx));
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on("error", () => {
      release();
      if (!connected) client.end(rawErrorResponse(502));
      else client.destroy();
    });
    upstream.on("close", () => client.destroy());
    client.on("close", () => upstream.destroy());
  }

  private idleTimeoutMs(listener: ListenerRecord): number {
    const lb = this.model.state.loadBalancers[listener.loadBalancerArn];
    return Number(lb?.attributes["idle_timeout.timeout_seconds"] ?? "60") * 1000;
  }

  close(): void {
    this.agent.destroy();
  }
}

function errorDecision(status: number): Decision {
  return { kind: "respond", status, headers: {}, body: "" };
}

function splitUrl(url: string): [string, string] {
  const q = url.indexOf("?");
  return q >= 0 ? [url.slice(0, q), url.slice(q + 1)] : [url, ""];
}

/** The target's own Set-Cookie headers stay; the stickiness cookie is added beside them. */
function withCookie(headers: IncomingHttpHeaders, setCookie: string | undefined): IncomingHttpHeaders {
  if (!setCookie) return headers;
  return { ...headers, "set-cookie": [...(headers["set-cookie"] ?? []), setCookie] };
}

function stripHopByHop(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) if (!HOP_BY_HOP.has(name)) out[name] = value;
  return out;
}

function forwardedHeaders(req: IncomingMessage, ctx: ListenerContext): IncomingHttpHeaders {
  const headers = stripHopByHop(req.headers);
  const clientIp = (req.socket.remoteAddress ?? "").replace(/^::ffff:/, "");
  const prior = req.headers["x-forwarded-for"];
  headers["x-forwarded-for"] = prior
    ? `${Array.isArray(prior) ? prior.join(", ") : prior}, ${clientIp}`
    : clientIp;
  headers["x-forwarded-proto"] = ctx.protocol;
  headers["x-forwarded-port"] = String(ctx.listener.port);
  if (!headers["x-amzn-trace-id"]) headers["x-amzn-trace-id"] = traceId();
  return headers;
}

function rawRequestHead(req: IncomingMessage, ctx: ListenerContext): string {
  const headers = forwardedHeaders(req, ctx);
  headers.connection = "Upgrade";
  headers.upgrade = req.headers.upgrade;
  const lines = [`${req.method} ${req.url} HTTP/1.1`];
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value])
      lines.push(`${name}: ${v.replace(/[\r\n]/g, "")}`);
  }
  return `${lines.join("\r\n")}\r\n\r\n`;
}

function traceId(): string {
  return `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString("hex")}`;
}
