import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { z } from "zod";
import type { Assets } from "./assets.js";
import { appShell, loginPage } from "./pages.js";
import type { Listener } from "./poller.js";
import { type Sessions, tokenFrom } from "./session.js";

// The console's HTTP surface: login, the app, and one server-sent-event stream per concern. Every
// route but the login form's POST wants a valid session; without one the answer is 401 (the login
// form for a page, a JSON error for anything else).

/** A stream the server can open for a query: the subscribe of a shared poller, or a query error. */
export type StreamSource = (
  query: URLSearchParams,
) => ((listener: Listener) => () => void) | { error: string };

export interface ConsoleRoutes {
  sessions: Sessions;
  assets: Assets;
  streams: Record<string, StreamSource>;
  /** GET /api/<name>?query → JSON, for things read on demand (an e-mail). */
  reads: Record<string, (query: URLSearchParams) => Promise<{ status: number; body: unknown }>>;
}

const loginForm = z.object({
  accessKeyId: z.string().min(1).max(128),
  secretAccessKey: z.string().min(1).max(256),
});
const HEARTBEAT_MS = 15_000;
const MAX_FORM_BYTES = 4096;

export function consoleServer(routes: ConsoleRoutes): Server {
  const server = createServer((req, res) => {
    handle(routes, req, res).catch(() => {
      if (!res.headersSent) json(res, 500, { error: "internal error" });
      else res.end();
    });
  });
  return server;
}

async function handle(routes: ConsoleRoutes, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? "/", "http://console.invalid");
  res.setHeader("X-Content-Type-Options", "nosniff");
  res.setHeader("Cache-Control", "no-store");
  if (url.pathname === "/login" && req.method === "POST") return login(routes.sessions, req, res);
  if (!routes.sessions.valid(tokenFrom(req.headers.cookie))) return unauthorized(url.pathname, res);
  if (req.method === "POST" && url.pathname === "/logout") {
    res.writeHead(303, { Location: "/", "Set-Cookie": `${routes.sessions.cookie("")}; Max-Age=0` });
    return void res.end();
  }
  if (req.method !== "GET") return json(res, 405, { error: "method not allowed" });
  if (url.pathname === "/app.js" || url.pathname === "/app.css") {
    const type = url.pathname.endsWith(".js") ? "text/javascript" : "text/css";
    res.writeHead(200, { "Content-Type": `${type}; charset=utf-8` });
    return void res.end(routes.assets[url.pathname.slice(1) as keyof Assets]);
  }
  const stream = /^\/events\/([a-z-]+)$/.exec(url.pathname)?.[1];
  if (stream !== undefined) return openStream(routes.streams[stream], url.searchParams, req, res);
  const read = /^\/api\/([a-z-]+)$/.exec(url.pathname)?.[1];
  if (read !== undefined) {
    const reader = routes.reads[read];
    if (!reader) return json(res, 404, { error: `no such resource: ${read}` });
    const { status, body } = await reader(url.searchParams);
    return json(res, status, body);
  }
  if (url.pathname === "/" || /^\/[a-z-]+$/.test(url.pathname)) {
    res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
    return void res.end(appShell());
  }
  json(res, 404, { error: "not found" });
}

function unauthorized(path: string, res: ServerResponse): void {
  if (path.startsWith("/events/") || path.startsWith("/api/") || path.includes("."))
    json(res, 401, { error: "sign in first: no valid session" });
  else {
    res.writeHead(401, { "Content-Type": "text/html; charset=utf-8" });
    res.end(loginPage());
  }
}

async function login(sessions: Sessions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readBody(req, MAX_FORM_BYTES);
  const form =
    body === undefined ? undefined : loginForm.safeParse(Object.fromEntries(new URLSearchParams(body)));
  if (!form?.success || !sessions.checkLogin(form.data.accessKeyId, form.data.secretAccessKey)) {
    res.writeHead(401, { "Content-Type": "text/html; charset=utf-8" });
    return void res.end(loginPage("That access key ID and secret are not the region's."));
  }
  res.writeHead(303, { Location: "/", "Set-Cookie": sessions.cookie(sessions.issue()) });
  res.end();
}

function openStream(
  source: StreamSource | undefined,
  query: URLSearchParams,
  req: IncomingMessage,
  res: ServerResponse,
): void {
  const subscribe = source ? source(query) : { error: "no such stream" };
  if (typeof subscribe !== "function") {
    json(res, source ? 400 : 404, { error: subscribe.error });
    return;
  }
  res.writeHead(200, { "Content-Type": "text/event-stream", Connection: "keep-alive" });
  // EventSource reconnects by itself; this is how soon.
  res.write("retry: 2000\n\n");
  const unsubscribe = subscribe((snapshot) => res.write(`data: ${snapshot}\n\n`));
  const heartbeat = setInterval(() => res.write(": keep-alive\n\n"), HEARTBEAT_MS);
  req.on("close", () => {
    clearInterval(heartbeat);
    unsubscribe();
  });
}

function readBody(req: IncomingMessage, limit: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => {
      body += chunk;
      if (body.length > limit) {
        resolve(undefined);
        req.destroy();
      }
    });
    req.on("end", () => resolve(body));
    req.on("error", () => resolve(undefined));
  });
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "Content-Type": "application/json; charset=utf-8" });
  res.end(JSON.stringify(body));
}
