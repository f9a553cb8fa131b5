import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { createWriteStream } from "node:fs";
import type { LookupFunction } from "node:net";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { Agent, request } from "undici";
import { type AddressPolicy, literalAddress, publicUnicastOnly } from "./address-policy.js";

// Fetching a user's http(s) input without letting it reach our own network. We resolve the name
// ourselves and connect to the address we checked (no second lookup an attacker's DNS could answer
// differently), refuse IP literals outside the policy, and follow redirects by hand so every hop is
// checked the same way. Size and time are bounded.

export class FetchRefused extends Error {}
export class FetchFailed extends Error {}

export interface FetchLimits {
  maxBytes: number;
  timeoutMs: number;
  maxRedirects: number;
}

export const DEFAULT_LIMITS: FetchLimits = {
  maxBytes: 4 * 1024 ** 3,
  timeoutMs: 10 * 60_000,
  maxRedirects: 5,
};

function guardedLookup(policy: AddressPolicy): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { all: true, family: options.family ?? 0 }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, "", 0);
      const refused = addresses.find((a) => !policy(a.address, undefined));
      if (refused || addresses.length === 0) {
        const reason = new FetchRefused(`input host '${hostname}' resolves to a non-public address`);
        return callback(reason as NodeJS.ErrnoException, "", 0);
      }
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}

export class GuardedFetcher {
  private readonly agent: Agent;

  constructor(
    private readonly policy: AddressPolicy = publicUnicastOnly,
    private readonly limits: FetchLimits = DEFAULT_LIMITS,
  ) {
    this.agent = new Agent({
      connect: { lookup: guardedLookup(policy), timeout: 10_000 },
      // undici 8 negotiates HTTP/2 by default; one download per input gains nothing from it, and
      // HTTP/1.1 is the path these limits and the redirect handling were tested on.
      allowH2: false,
      headersTimeout: 30_000,
      bodyTimeout: 60_000,
    });
  }

  private check(url: URL): void {
    if (url.protocol !== "http:" && url.protocol !== "https:")
      throw new FetchRefused(`input redirects to a ${url.protocol} URL; only http(s) is fetched`);
    if (url.username || url.password) throw new FetchRefused("credentials in input URLs are not accepted");
    const literal = literalAddress(url.hostname);
    const port = url.port ? Number(url.port) : url.protocol === "https:" ? 443 : 80;
    if (literal !== undefined && !this.policy(literal, port))
      throw new FetchRefused(`input URL points at a non-public address (${url.hostname})`);
  }

  /** Follows redirects (each hop checked) to a 2xx response; the caller consumes or discards the body. */
  private async open(start: URL, signal: AbortSignal) {
    let url = start;
    for (let hop = 0; hop <= this.limits.maxRedirects; hop++) {
      this.check(url);
      let response: Awaited<ReturnType<typeof request>>;
      try {
        response = await request(url, { dispatcher: this.agent, signal, method: "GET" });
      } catch (error) {
        throw unwrap(error, url);
      }
      const location = response.headers.location;
      if (response.statusCode >= 300 && response.statusCode < 400 && location) {
        await response.body.dump();
        url = new URL(String(location), url);
        continue;
      }
      if (response.statusCode < 200 || response.statusCode >= 300) {
        await response.body.dump();
        throw new FetchFailed(`input URL answered HTTP ${response.statusCode}`);
      }
      const length = Number(response.headers["content-length"]);
      if (Number.isFinite(length) && length > this.limits.maxBytes) {
        await response.body.dump();
        throw new FetchRefused(`input is larger than ${this.limits.maxBytes} bytes`);
      }
      return response;
    }
    throw new FetchRefused(`input URL redirects more than ${this.limits.maxRedirects} times`);
  }

  /** Checks that the URL (and every redirect) is allowed and answers 2xx, without reading the body. */
  async preflight(url: URL): Promise<void> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 15_000);
    try {
      const response = await this.open(url, controller.signal);
      controller.abort();
      await response.body.dump().catch(() => undefined);
    } finally {
      clearTimeout(timer);
    }
  }

  async download(url: URL, destination: string, signal?: AbortSignal): Promise<number> {
    const timeout = AbortSignal.timeout(this.limits.timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    const response = await this.open(url, combined);
    let bytes = 0;
    const max = this.limits.maxBytes;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        bytes += chunk.length;
        if (bytes > max) done(new FetchRefused(`input is larger than ${max} bytes`));
        else done(null, chunk);
      },
    });
    try {
      await pipeline(response.body, counter, createWriteStream(destination));
    } catch (error) {
      throw unwrap(error, url);
    }
    return bytes;
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}

function unwrap(error: unknown, url: URL): Error {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current; depth++) {
    if (current instanceof FetchRefused || current instanceof FetchFailed) return current;
    current = (current as { cause?: unknown }).cause;
  }
  const message =
    (error as Error)?.name === "AbortError" ? "timed out" : ((error as Error)?.message ?? "failed");
  return new FetchFailed(`fetching input from ${url.host} failed: ${message}`);
}
