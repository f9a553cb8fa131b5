import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  guardedDownloader,
  isPublicUnicast,
  refusalIn,
  refusalOf,
} from "../../src/recording/guarded-download.js";

describe("player URL rules (the API's SSRF policy)", () => {
  it("lets public unicast addresses through and nothing else, IPv4-mapped IPv6 included", () => {
    expect(isPublicUnicast("93.184.216.34")).toBe(true);
    for (const a of [
      "127.0.0.1",
      "10.0.0.1",
      "172.16.0.1",
      "192.168.1.1",
      "169.254.169.254",
      "100.64.0.1",
      "::1",
      "::ffff:127.0.0.1",
      "fd00::1",
      "224.0.0.1",
      "0.0.0.0",
      "nonsense",
    ]) {
      expect(isPublicUnicast(a), a).toBe(false);
    }
  });

  it("refuses other schemes, credentials and non-public IP literals", () => {
    expect(refusalOf(new URL("https://example.com/a.webm"))).toBeUndefined();
    expect(refusalOf(new URL("rtsp://example.com/a"))).toMatch(/http\(s\) only/);
    expect(refusalOf(new URL("https://u:p@example.com/a"))).toMatch(/credentials/);
    expect(refusalOf(new URL("http://[::1]/a"))).toMatch(/non-public/);
    expect(refusalOf(new URL("http://169.254.169.254/latest/meta-data"))).toMatch(/non-public/);
  });
});

describe("guarded download", () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = createServer((_req, res) => res.end("private"));
    await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => server.close());

  it("does not connect to a name that resolves to loopback", async () => {
    const download = guardedDownloader({ maxBytes: 1000, timeoutMs: 5000, maxRedirects: 2 });
    const error = await download(new URL(`http://localhost:${port}/clip.webm`), "/tmp/never-written").catch(
      (e) => e,
    );
    expect(refusalIn(error)?.message).toMatch(/non-public address/);
  });
});
