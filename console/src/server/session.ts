import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

// The console's login: the region's own access key id and secret, then a session cookie signed with
// HMAC-SHA256 under a key that lives only in this process (a restart of the console logs everyone
// out, and no secret is ever written down).

export const COOKIE = "console_session";
const TTL_MS = 12 * 60 * 60 * 1000;

export interface AccessKey {
  accessKeyId: string;
  secretAccessKey: string;
}

export class Sessions {
  private readonly key = randomBytes(32);

  constructor(
    private readonly access: AccessKey,
    private readonly now: () => number = Date.now,
  ) {}

  /** True when both halves match the region's key; compared in constant time. */
  checkLogin(accessKeyId: string, secretAccessKey: string): boolean {
    return same(accessKeyId, this.access.accessKeyId) && same(secretAccessKey, this.access.secretAccessKey);
  }

  /** A token `<expiry>.<nonce>.<mac>`: nothing in it but when it ends. */
  issue(): string {
    const body = `${this.now() + TTL_MS}.${randomBytes(12).toString("base64url")}`;
    return `${body}.${this.mac(body)}`;
  }

  valid(token: string | undefined): boolean {
    if (!token) return false;
    const cut = token.lastIndexOf(".");
    if (cut < 0) return false;
    const body = token.slice(0, cut);
    if (!same(token.slice(cut + 1), this.mac(body))) return false;
    const expiry = Number(body.split(".")[0]);
    return Number.isFinite(expiry) && expiry > this.now();
  }

  /** The Set-Cookie value: HttpOnly, SameSite=Strict, for the whole console, as long as the token. */
  cookie(token: string): string {
    return `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${TTL_MS / 1000}`;
  }

  private mac(body: string): string {
    return createHmac("sha256", this.key).update(body).digest("base64url");
  }
}

/** The session token from a Cookie header, if any. */
export function tokenFrom(cookieHeader: string | undefined): string | undefined {
  for (const part of (cookieHeader ?? "").split(";")) {
    const [name, ...value] = part.trim().split("=");
    if (name === COOKIE) return value.join("=");
  }
  return undefined;
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
