import type { AwsError } from "../contracts.js";

// The one paging helper of every Describe/List operation. Tokens are opaque to clients, which only
// echo them back: here a base64 offset. Each service decodes its own page size parameter
// (`maxResults`, `PageSize`, `limit`, ...) and names the error a bad token gets.

export interface PageRequest {
  /** Items per page; every item when undefined. */
  size?: number | undefined;
  /** The token a previous page returned; undefined or empty for the first page. */
  token?: string | undefined;
}

export interface Page<T> {
  items: T[];
  /** The token of the next page; undefined on the last one. */
  next?: string | undefined;
}

/** A bad token is answered with the service's own error, e.g. ECR's InvalidParameterException. */
export type InvalidToken = () => AwsError;

export function paginate<T>(all: T[], request: PageRequest, invalid: InvalidToken): Page<T> {
  const start = request.token ? pageOffset(request.token, invalid) : 0;
  if (start > all.length) throw invalid();
  const end = request.size === undefined ? all.length : start + request.size;
  return { items: all.slice(start, end), next: end < all.length ? pageToken(end) : undefined };
}

export function pageToken(offset: number): string {
  return Buffer.from(`page:${offset}`).toString("base64");
}

/** The offset a token names; for operations whose tokens are positions (CloudWatch Logs' GetLogEvents). */
export function pageOffset(token: string, invalid: InvalidToken): number {
  const m = /^page:(\d+)$/.exec(Buffer.from(token, "base64").toString("utf8"));
  if (!m) throw invalid();
  return Number(m[1]);
}
