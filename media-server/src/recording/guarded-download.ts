import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { createWriteStream } from "node:fs";
import type { LookupFunction } from "node:net";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import ipaddr from "ipaddr.js";
import { Agent, request } from "undici";

// The transcoding API's SSRF rules (api/src/storage/address-policy.ts and guarded-fetch.ts),
// restated here because importing @platform/api would put its native dependencies (better-sqlite3,
// pg) into the media server's image. Keep both in step: public unicast addresses only (no
// loopback, private, link-local such as 169.254.169.254, CGNAT, multicast, also as IPv4-mapped
// IPv6), checked on the address we connect to (no second DNS answer) and on every redirect.

export class DownloadRefused extends Error {}

export function isPublicUnicast(address: string): boolean {
  try {
    let parsed = ipaddr.parse(address);
    if (parsed.kind() === "ipv6" && (parsed as ipaddr.IPv6).isIPv4MappedAddress())
      parsed = (parsed as ipaddr.IPv6).toIPv4Address();
    return parsed.range() === "unicast";
  } catch {
    return false;
  }
}

/** Why a URL may not be fetched (scheme, credentials, an IP literal outside the policy), or undefined. */
export function refusalOf(url: URL): string | undefined {
  if (url.protocol !== "http:" && url.protocol !== "https:")
    return `${url.protocol} URLs are not fetched (http(s) only)`;
  if (url.username || url.password) return "credentials in URLs are not accepted";
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  if (ipaddr.isValid(host) && /^[0-9a-fA-F:.]+$/.test(host) && !isPublicUnicast(host))
    return `the URL points at a non-public address (${url.hostname})`;
  return undefined;
}

const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { all: true, family: options.family ?? 0 }, (error, addresses: LookupAddress[]) => {
    if (error) return callback(error, "", 0);
    if (addresses.length === 0 || addresses.some((a) => !isPublicUnicast(a.address))) {
      return callback(new DownloadRefused(`'${hostname}' resolves to a non-public address`) as never, "", 0);
    }
    if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
    callback(null, addresses[0]!.address, addresses[0]!.family);
  });
};

/** Downloads `url` to `file` under the rules above, bounded in bytes, time and redirects. */
export function guardedDownloader(limits: { maxBytes: number; timeoutMs: number; maxRedirects: number }) {
  const agent = new Agent({ connect: { lookup: publicOnlyLookup, timeout: 10_000 }, allowH2: false });
  return async (start: URL, file: string): Promise<void> => {
    const signal = AbortSignal.timeout(limits.timeoutMs);
    let url = start;
    for (let hop = 0; hop <= limits.maxRedirects; hop++) {
      const refused = refusalOf(url);
      if (refused) throw new DownloadRefused(refused);
      const response = await request(url, { dispatcher: agent, signal, method: "GET" });
      const location = response.headers.location;
      if (response.statusCode >= 300 && response.statusCode < 400 && location) {
        await response.body.dump();
        url = new URL(String(location), url);
        continue;
      }
      if (response.statusCode < 200 || response.statusCode >= 300) {
        await response.body.dump();
        throw new DownloadRefused(`the URL answered HTTP ${response.statusCode}`);
      }
      let bytes = 0;
      const limit = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          bytes += chunk.length;
          done(
            bytes > limits.maxBytes ? new DownloadRefused(`larger than ${limits.maxBytes} bytes`) : null,
            chunk,
          );
        },
      });
      await pipeline(response.body, limit, createWriteStream(file));
      return;
    }
    throw new DownloadRefused(`more than ${limits.maxRedirects} redirects`);
  };
}

/** The refusal a failed download carries, found through undici's wrapping. */
export function refusalIn(error: unknown): DownloadRefused | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current; depth++) {
    if (current instanceof DownloadRefused) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
