import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";

// Verifies AWS Signature Version 4 (Authorization header form), the way the SDKs, the CLI and boto3
// sign: canonical request -> string to sign -> HMAC chain from the secret key. Any region is accepted.

export type AuthFailureKind = "missing" | "incomplete" | "unknownKey" | "mismatch" | "expired";

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
  body: Buffer;
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
  const authorization = header(req.headers, "authorization");
  if (!authorization) throw new AuthFailure("missing", "Missing Authentication Token");
  const auth = parseAuthorization(authorization);
  const secret = secretFor(auth.accessKeyId);
  if (secret === undefined) {
    throw new AuthFailure("unknownKey", "The security token included in the request is invalid.");
  }
  const amzDate = header(req.headers, "x-amz-date") ?? isoBasic(header(req.headers, "date"));
  if (!amzDate || !/^\d{8}T\d{6}Z$/.test(amzDate)) {
    throw new AuthFailure(
      "incomplete",
      "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
    );
  }
  checkFreshness(amzDate, now);
  if (!amzDate.startsWith(auth.date)) {
    throw new AuthFailure(
      "mismatch",
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${auth.date}' != '${amzDate.slice(0, 8)}'`,
    );
  }
  const canonical = canonicalRequest(req, auth.signedHeaders);
  const scope = `${auth.date}/${auth.region}/${auth.service}/aws4_request`;
  const stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256Hex(canonical)].join("\n");
  const expected = hmac(signingKey(secret, auth.date, auth.region, auth.service), stringToSign).toString(
    "hex",
  );
  if (!sameHex(expected, auth.signature)) throw new AuthFailure("mismatch", SIGNATURE_MISMATCH_MESSAGE);
  return { accessKeyId: auth.accessKeyId, region: auth.region, service: auth.service };
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
  const credential = fields.get("Credential")!.split("/");
  if (credential.length !== 5 || credential[4] !== "aws4_request" || !/^\d{8}$/.test(credential[1]!)) {
    throw new AuthFailure(
      "incomplete",
      "Credential should be scoped to a valid region and service: <key>/<YYYYMMDD>/<region>/<service>/aws4_request.",
    );
  }
  const [accessKeyId, date, region, service] = credential as [string, string, string, string];
  return {
    accessKeyId,
    date,
    region,
    service,
    signedHeaders: fields.get("SignedHeaders")!.toLowerCase().split(";"),
    signature: fields.get("Signature")!,
  };
}

function checkFreshness(amzDate: string, now: Date): void {
  const signedAt = Date.parse(
    `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
  );
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

function canonicalRequest(req: SignedRequest, signedHeaders: string[]): string {
  const q = req.url.indexOf("?");
  const path = q >= 0 ? req.url.slice(0, q) : req.url;
  const query = q >= 0 ? req.url.slice(q + 1) : "";
  const headers = signedHeaders
    .map((name) => `${name}:${canonicalHeaderValue(req.headers[name])}\n`)
    .join("");
  const declared = header(req.headers, "x-amz-content-sha256");
  const payloadHash = declared ?? sha256Hex(req.body);
  if (declared && declared !== "UNSIGNED-PAYLOAD" && declared !== sha256Hex(req.body)) {
    throw new AuthFailure(
      "mismatch",
      "The provided 'x-amz-content-sha256' header does not match what was computed.",
    );
  }
  return [
    req.method,
    canonicalPath(path),
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
    .filter((pair) => pair.length > 0)
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

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac("sha256", key).update(data, "utf8").digest();
}

function sha256Hex(data: string | Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

function sameHex(a: string, b: string): boolean {
  const x = Buffer.from(a, "utf8");
  const y = Buffer.from(b.toLowerCase(), "utf8");
  return x.length === y.length && timingSafeEqual(x, y);
}
