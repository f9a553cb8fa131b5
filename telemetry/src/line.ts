import { hostname } from "node:os";

// The shape of one log line (contract 1 of issue 10): pure, so both apps and the metric filters
// that read their lines agree on it without running a logger.

export type ServiceName = "api" | "media-server";

/** What every line of a process carries. */
export interface LogIdentity {
  service: ServiceName;
  env: string;
  version: string;
  taskId: string;
}

/** The fields that lead every line, in this order; the rest follow as the caller gave them. */
const LEADING = ["time", "level", "message", "service", "env", "version", "taskId"] as const;

export function lineOf(fields: Record<string, unknown>): string {
  const ordered: Record<string, unknown> = {};
  for (const key of LEADING) if (fields[key] !== undefined) ordered[key] = fields[key];
  for (const [key, value] of Object.entries(fields)) if (!(key in ordered)) ordered[key] = value;
  try {
    return JSON.stringify(ordered);
  } catch {
    // A circular or BigInt field must not cost the line: keep what is certainly serializable.
    const safe = Object.fromEntries(LEADING.map((key) => [key, ordered[key]]));
    return JSON.stringify({ ...safe, unserializable: true });
  }
}

/** The task id from an ECS task ARN (its last segment); without one, this process on this host. */
export function taskIdOf(
  taskArn: string | undefined,
  pid: number = process.pid,
  host: string = hostname(),
): string {
  const fromArn = taskArn?.split("/").pop();
  return fromArn ? fromArn : `${host}-${pid}`;
}

export interface AccessEntry {
  method: string;
  path: string;
  status: number;
  durationMs: number;
}

/** The access line of one HTTP request: level http, or warn for a 5xx so error filters see it. */
export function accessLine(entry: AccessEntry) {
  return {
    level: entry.status >= 500 ? "warn" : "http",
    message: "request",
    method: entry.method,
    path: entry.path,
    status: entry.status,
    durationMs: Math.round(entry.durationMs * 10) / 10,
  };
}

/** The path without its query string: queries can carry signatures and tokens. */
export function pathOf(url: string | undefined): string {
  const path = (url ?? "/").split("?")[0] ?? "/";
  return path.length > 512 ? `${path.slice(0, 512)}…` : path;
}

const REQUEST_ID = /^[A-Za-z0-9._:=;-]{1,200}$/;

/**
 * The request id the load balancer or a caller sent: X-Request-Id, else the Root of the ALB's
 * X-Amzn-Trace-Id ("Self=...;Root=1-5759e988-bd862e3fe1be46a994272793"). Anything that could
 * forge or break a line (spaces, quotes, control characters, overlong) is ignored.
 */
export function requestIdFrom(headers: Record<string, string | string[] | undefined>): string | undefined {
  const explicit = first(headers["x-request-id"]);
  if (explicit && REQUEST_ID.test(explicit)) return explicit;
  const trace = first(headers["x-amzn-trace-id"]);
  if (!trace || !REQUEST_ID.test(trace)) return undefined;
  const root = /(?:^|;)Root=([^;]+)/.exec(trace)?.[1];
  return root ?? trace;
}

const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);
