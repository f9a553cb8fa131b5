import type { IncomingMessage } from "node:http";
import { z } from "zod";
import { AwsError } from "../../contracts.js";
import { header } from "./body.js";

// An S3 request's address (path-style `/bucket/key`, or virtual-host `bucket.localhost`,
// `bucket.s3.localhost`) and the query and header values the operations read.

export interface S3Address {
  bucket?: string;
  key?: string;
  query: URLSearchParams;
}

const VIRTUAL_HOST = /^([a-z0-9][a-z0-9.-]{1,61}?[a-z0-9])\.(?:s3\.)?localhost$/;

export function addressOf(req: IncomingMessage): S3Address {
  const url = req.url ?? "/";
  const q = url.indexOf("?");
  const query = new URLSearchParams(q >= 0 ? url.slice(q + 1) : "");
  const path = q >= 0 ? url.slice(0, q) : url;
  const hostname = (header(req, "host") ?? "").replace(/:\d+$/, "").toLowerCase();
  const virtual = VIRTUAL_HOST.exec(hostname)?.[1];
  const segments = path.split("/").slice(1);
  const bucket = virtual ?? decode(segments.shift() ?? "");
  const key = decode(segments.join("/"));
  return { ...(bucket ? { bucket } : {}), ...(key ? { key } : {}), query };
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new AwsError("InvalidURI", "Couldn't parse the specified URI.");
  }
}

const maxKeys = z.coerce
  .number()
  .int()
  .min(0)
  .default(1000)
  .transform((n) => Math.min(n, 1000));
const partNumber = z.coerce.number().int().min(1).max(10_000);

export function maxKeysOf(query: URLSearchParams): number {
  const parsed = maxKeys.safeParse(query.get("max-keys") ?? undefined);
  if (!parsed.success)
    throw new AwsError("InvalidArgument", "Provided max-keys not an integer or within integer range");
  return parsed.data;
}

export function partNumberOf(query: URLSearchParams): number {
  const parsed = partNumber.safeParse(query.get("partNumber"));
  if (!parsed.success)
    throw new AwsError("InvalidArgument", "Part number must be an integer between 1 and 10000, inclusive");
  return parsed.data;
}

/** `x-amz-meta-*` headers, as S3 keeps them (lower-case names). */
export function userMetadata(req: IncomingMessage): Record<string, string> {
  const metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (name.startsWith("x-amz-meta-") && typeof value === "string") metadata[name.slice(11)] = value;
  }
  return metadata;
}

/** `x-amz-copy-source: /bucket/key` (URL-encoded, the leading slash optional, no versionId). */
export function copySourceOf(value: string): { bucket: string; key: string } {
  const decoded = decode(value.split("?")[0]!).replace(/^\//, "");
  const slash = decoded.indexOf("/");
  if (slash <= 0 || slash === decoded.length - 1)
    throw new AwsError(
      "InvalidArgument",
      "Copy Source must mention the source bucket and key: sourcebucket/sourcekey",
    );
  return { bucket: decoded.slice(0, slash), key: decoded.slice(slash + 1) };
}
