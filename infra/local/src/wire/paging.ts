import { AwsError } from "../contracts.js";

// Page tokens for Describe/List operations: an opaque base64 offset, as clients only echo it back.

export interface Page<T> {
  items: T[];
  next?: string | undefined;
}

export function paginate<T>(
  all: T[],
  size: number | undefined,
  token: string | undefined,
  code = "ValidationError",
): Page<T> {
  const start = token === undefined || token === "" ? 0 : decodeToken(token, code);
  if (start > all.length) throw new AwsError(code, "The pagination token is invalid");
  const end = size === undefined ? all.length : start + size;
  return { items: all.slice(start, end), next: end < all.length ? encodeToken(end) : undefined };
}

function encodeToken(offset: number): string {
  return Buffer.from(`page:${offset}`).toString("base64");
}

function decodeToken(token: string, code: string): number {
  const m = /^page:(\d+)$/.exec(Buffer.from(token, "base64").toString("utf8"));
  if (!m) throw new AwsError(code, "The pagination token is invalid");
  return Number(m[1]);
}
