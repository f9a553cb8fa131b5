import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";

// Verifies AWS Signature Version 4 (Authorization header form), the way the SDKs, the CLI and boto3
// sign: canonical request -> string to sign -> HMAC chain from the secret key. Any region is accepted.

export type AuthFailureKind =
  | "missing"
  | "incomplete"
  | "unknownKey"
  | "mismatch"
  | "expired"
  /** A presigned URL past its X-Amz-Expires. */
  | "urlExpired";

export class AuthFailure extends Error {
  constructor(
    readonly kind: AuthFailureKind,
    message: string,
  ) {
    super(message);
  }
}

export interface SignedRequest {
  method: string;
  /** Raw request target: path and query as sent. */
  url: string;
  headers: IncomingHttpHeaders;
  /**
   * The body; undefined when it is streamed to the service instead, which then checks it against
   * the declared x-amz-content-sha256 (or each aws-chunked chunk against `signing`).
   */
  body: Buffer | undefined;
}

export interface VerifyOptions {
  /** S3 signs the path as sent; every other service signs it URI-escaped once more. */
  pathAsSent?: boolean;
  /** Query-string SigV4 (presigned URLs), as S3 accepts it. */
  presigned?: boolean;
}

/** What a streamed body's chunk signatures chain on (aws-chunked, STREAMING-AWS4-HMAC-SHA256-PAYLOAD). */
export interface SigningChain {
  amzDate: string;
  scope: string;
  key: Buffer;
  /** The request's own signature: the seed of the chunks' chain. */
  signature: string;
  /** The declared payload hash: hex, UNSIGNED-PAYLOAD or a STREAMING-... mode. */
  payloadHash: string;
}

export interface VerifiedCaller {
  accessKeyId: string;
  region: string;
  service: string;
}

/** AWS's window: a signature older or newer than 15 minutes is refused. */
const MAX_SKEW_MS = 15 * 60 * 1000;

export const SIGNATURE_MISMATCH_MESSAGE =
  "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

export function verifySigV4(
  req: SignedRequest,
  secretFor: (accessKeyId: string) => string | undefined,
  now = new Date(),
): VerifiedCaller {
  const { accessKeyId, region, service } = verifyRequest(req, secretFor, now);
  return { accessKeyId, region, service };
}

/** verifySigV4 with the options REST services need, and the signing chain of a streamed body. */
export function verifyRequest(
  req: SignedRequest,
  secretFor: (accessKeyId: string) => string | undefined,
  now = new Date(),
  options: VerifyOptions = {},
): VerifiedCaller & { signing: SigningChain } {
  const authorization = header(req.headers, "authorization");
  const query = new URLSearchParams(req.url.split("?")[1] ?? "");
  const presigned = !authorization && options.presigned === true && query.has("X-Amz-Algorithm");
  if (!authorization && !presigned) throw new AuthFailure("missing", "Missing Authentication Token");
  const auth = presigned ? parsePresigned(query) : parseAuthorization(authorization!);
  const secret = secretFor(auth.accessKeyId);
  if (secret === undefined) {
    throw new AuthFailure("unknownKey", "The security token included in the request is invalid.");
  }
  const amzDate = presigned
    ? (query.get("X-Amz-Date") ?? undefined)
    : (header(req.headers, "x-amz-date") ?? isoBasic(header(req.headers, "date")));
  if (!amzDate || !/^\d{8}T\d{6}Z$/.test(amzDate)) {
    throw new AuthFailure(
      "incomplete",
      "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
    );
  }
  if (presigned) checkUrlExpiry(amzDate, query.get("X-Amz-Expires"), now);
  else checkFreshness(amzDate, now);
  if (!amzDate.startsWith(auth.date)) {
    throw new AuthFailure(
      "mismatch",
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${auth.date}' != '${amzDate.slice(0, 8)}'`,
    );
  }
  const payloadHash = presigned
    ? (query.get("X-Amz-Content-Sha256") ?? "UNSIGNED-PAYLOAD")
    : declaredPayloadHash(req);
  const canonical = canonicalRequest(req, auth.signedHeaders, payloadHash, options.pathAsSent === true);
  const scope = `${auth.date}/${auth.region}/${auth.service}/aws4_request`;
  const stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256Hex(canonical)].join("\n");
  const key = signingKey(secret, auth.date, auth.region, auth.service);
  const expected = hmac(key, stringToSign).toString("hex");
  if (!sameHex(expected, auth.signature)) throw new AuthFailure("mismatch", SIGNATURE_MISMATCH_MESSAGE);
  return {
    accessKeyId: auth.accessKeyId,
    region: auth.region,
    service: auth.service,
    signing: { amzDate, scope, key, signature: expected, payloadHash },
  };
}

/** The payload hash the canonical request carries; a buffered body must match a declared hex hash. */
function declaredPayloadHash(req: SignedRequest): string {
  const declared = header(req.headers, "x-amz-content-sha256");
  if (req.body === undefined) {
    if (!declared)
      throw new AuthFailure("incomplete", "Missing required header for this request: x-amz-content-sha256");
    return declared;
  }
  const actual = sha256Hex(req.body);
  if (declared && declared !== "UNSIGNED-PAYLOAD" && declared !== actual) {
    throw new AuthFailure(
      "mismatch",
      "The provided 'x-amz-content-sha256' header does not match what was computed.",
    );
  }
  return declared ?? actual;
}

function parsePresigned(query: URLSearchParams): ParsedAuthorization {
  if (query.get("X-Amz-Algorithm") !== "AWS4-HMAC-SHA256")
    throw new AuthFailure("incomplete", 'X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"');
  for (const name of ["X-Amz-Credential", "X-Amz-SignedHeaders", "X-Amz-Signature", "X-Amz-Date"]) {
    if (!query.get(name))
      throw new AuthFailure("incomplete", `Query-string authentication requires the ${name} parameter`);
  }
  return {
    ...parseCredential(query.get("X-Amz-Credential")!),
    signedHeaders: query.get("X-Amz-SignedHeaders")!.toLowerCase().split(";"),
    signature: query.get("X-Amz-Signature")!,
  };
}

/** AWS's limits: X-Amz-Expires from 1 s to 7 days, counted from X-Amz-Date. */
function checkUrlExpiry(amzDate: string, expires: string | null, now: Date): void {
  const seconds = Number(expires);
  if (!expires || !Number.isInteger(seconds) || seconds < 1 || seconds > 604_800) {
    throw new AuthFailure(
      "incomplete",
      "X-Amz-Expires must be an integer from 1 to 604800 (seconds, 7 days at most)",
    );
  }
  if (basicToMs(amzDate) + seconds * 1000 < now.getTime()) {
    throw new AuthFailure("urlExpired", "Request has expired");
  }
}

interface ParsedAuthorization {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

function parseAuthorization(value: string): ParsedAuthorization {
  const match = /^AWS4-HMAC-SHA256\s+(.*)$/s.exec(value.trim());
  if (!match)
    throw new AuthFailure(
      "incomplete",
      `Authorization header requires 'AWS4-HMAC-SHA256' algorithm. Authorization=${value.split(/\s/)[0]}`,
    );
  const fields = new Map<string, string>();
  for (const part of match[1]!.split(",")) {
    const eq = part.indexOf("=");
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  for (const name of ["Credential", "SignedHeaders", "Signature"]) {
    if (!fields.get(name))
      throw new AuthFailure("incomplete", `Authorization header requires '${name}' parameter.`);
  }
  return {
    ...parseCredential(fields.get("Credential")!),
    signedHeaders: fields.get("SignedHeaders")!.toLowerCase().split(";"),
    signature: fields.get("Signature")!,
  };
}

function parseCredential(value: string): Omit<ParsedAuthorization, "signedHeaders" | "signature"> {
  const credential = value.split("/");
  if (credential.length !== 5 || credential[4] !== "aws4_request" || !/^\d{8}$/.test(credential[1]!)) {
    throw new AuthFailure(
      "incomplete",
      "Credential should be scoped to a valid region and service: <key>/<YYYYMMDD>/<region>/<service>/aws4_request.",
    );
  }
  const [accessKeyId, date, region, service] = credential as [string, string, string, string];
  return { accessKeyId, date, region, service };
}

/** The signing service a request names (Authorization header or presigned query), unverified. */
export function signingServiceOf(req: Pick<SignedRequest, "url" | "headers">): string | undefined {
  const authorization = header(req.headers, "authorization");
  const credential = authorization
    ? /Credential=([^,\s]+)/.exec(authorization)?.[1]
    : new URLSearchParams(req.url.split("?")[1] ?? "").get("X-Amz-Credential");
  return credential?.split("/")[3];
}

function basicToMs(amzDate: string): number {
  return Date.parse(
    `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
  );
}

function checkFreshness(amzDate: string, now: Date): void {
  const signedAt = basicToMs(amzDate);
  const nowBasic = toBasic(now);
  if (signedAt < now.getTime() - MAX_SKEW_MS) {
    const limit = toBasic(new Date(now.getTime() - MAX_SKEW_MS));
    throw new AuthFailure(
      "expired",
      `Signature expired: ${amzDate} is now earlier than ${limit} (${nowBasic} - 15 min.)`,
    );
  }
  if (signedAt > now.getTime() + MAX_SKEW_MS) {
    const limit = toBasic(new Date(now.getTime() + MAX_SKEW_MS));
    throw new AuthFailure(
      "expired",
      `Signature not yet current: ${amzDate} is still later than ${limit} (${nowBasic} + 15 min.)`,
    );
  }
}

function canonicalRequest(
  req: SignedRequest,
  signedHeaders: string[],
  payloadHash: string,
  pathAsSent: boolean,
): string {
  const q = req.url.indexOf("?");
  const path = q >= 0 ? req.url.slice(0, q) : req.url;
  const query = q >= 0 ? req.url.slice(q + 1) : "";
  const headers = signedHeaders
    .map((name) => `${name}:${canonicalHeaderValue(req.headers[name])}\n`)
    .join("");
  return [
    req.method,
    pathAsSent ? path || "/" : canonicalPath(path),
    canonicalQuery(query),
    headers,
    signedHeaders.join(";"),
    payloadHash,
  ].join("\n");
}

function canonicalPath(path: string): string {
  return (path || "/").split("/").map(uriEscape).join("/");
}

function canonicalQuery(query: string): string {
  if (!query) return "";
  return query
    .split("&")
    .filter((pair) => pair.length > 0 && !pair.startsWith("X-Amz-Signature="))
    .map((pair) => {
      const eq = pair.indexOf("=");
      const key = eq >= 0 ? pair.slice(0, eq) : pair;
      const value = eq >= 0 ? pair.slice(eq + 1) : "";
      return [uriEscape(safeDecode(key)), uriEscape(safeDecode(value))] as const;
    })
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
}

function canonicalHeaderValue(value: string | string[] | undefined): string {
  const joined = Array.isArray(value) ? value.join(",") : (value ?? "");
  return joined.trim().replace(/\s+/g, " ");
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, " "));
  } catch {
    return s;
  }
}

export function uriEscape(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function isoBasic(httpDate: string | undefined): string | undefined {
  if (!httpDate) return undefined;
  const t = Date.parse(httpDate);
  return Number.isNaN(t) ? undefined : toBasic(new Date(t));
}

function toBasic(d: Date): string {
  return d
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
}

export function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  const kDate = hmac(`AWS4${secret}`, date);
  const kRegion = hmac(kDate, region);
  const kService = hmac(kRegion, service);
  return hmac(kService, "aws4_request");
}

export function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac("sha256", key).update(data, "utf8").digest();
}

export function sha256Hex(data: string | Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

function sameHex(a: string, b: string): boolean {
  const x = Buffer.from(a, "utf8");
  const y = Buffer.from(b.toLowerCase(), "utf8");
  return x.length === y.length && timingSafeEqual(x, y);
}
