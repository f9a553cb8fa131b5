import { readFileSync } from "node:fs";
import { join } from "node:path";
import { request } from "undici";

// The scenario's only way out: the local load balancer on a loopback address, with the Host header
// that picks the environment (Node's resolver doesn't resolve qa.localhost; the balancer only reads
// the header).

export interface Target {
  url: URL;
  host: string;
  key: string;
}

export function targetFor(options: {
  url: string;
  env: "qa" | "prod";
  host?: string;
  key?: string;
  stateDir: string;
}): Target {
  const url = new URL(options.url);
  if (!["127.0.0.1", "localhost", "[::1]"].includes(url.hostname)) {
    throw new Error(
      `the scenario only sends traffic to the local load balancer (a loopback address), not ${url.hostname}`,
    );
  }
  const host = options.host ?? (options.env === "qa" ? "qa.localhost" : "localhost");
  return { url, host, key: options.key ?? apiKeyOf(options.stateDir, options.env) };
}

function apiKeyOf(stateDir: string, env: string): string {
  const file = join(stateDir, "api-keys.json");
  try {
    const key = (JSON.parse(readFileSync(file, "utf8")) as Record<string, string>)[env];
    if (key) return key;
  } catch {
    // reported below
  }
  throw new Error(
    `no API key for ${env} in ${file}: start the platform with "npm start" first, or pass --key`,
  );
}

export interface Answer<T> {
  status: number;
  body: T;
}

export async function call<T>(
  target: Target,
  method: "GET" | "POST" | "PUT",
  path: string,
  body?: unknown,
): Promise<Answer<T>> {
  const raw = body instanceof Buffer;
  const res = await request(new URL(path, target.url), {
    method,
    headers: {
      host: target.host,
      authorization: `Bearer ${target.key}`,
      ...(body !== undefined && { "content-type": raw ? "video/mp4" : "application/json" }),
    },
    body: body === undefined ? undefined : raw ? body : JSON.stringify(body),
    headersTimeout: 30_000,
    bodyTimeout: 60_000,
  });
  const text = await res.body.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: kept as text for the error message
  }
  return { status: res.statusCode, body: parsed as T };
}
