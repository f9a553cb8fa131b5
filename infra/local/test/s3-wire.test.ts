import { createHash, createHmac } from "node:crypto";
import { request } from "node:http";
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { SignatureV4 } from "@smithy/signature-v4";
import type { SourceData } from "@smithy/types";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startTestRegion, type TestRegion } from "../src/testing/index.js";
import { AuthFailure, verifyRequest } from "../src/wire/sigv4.js";

// S3's wire below the SDK: the payload modes the SDK really sends, STREAMING-AWS4-HMAC-SHA256-PAYLOAD
// with each chunk signed (built here from the SigV4 spec, as the CLI's older signers do), and
// virtual-host addressing (`bucket.s3.localhost`).

let region: TestRegion;
let s3: S3Client;

beforeAll(async () => {
  region = await startTestRegion();
  s3 = region.client(S3Client, { forcePathStyle: true });
  await fetchSigned("PUT", "/wire", Buffer.alloc(0));
});

afterAll(() => region?.cleanup());

const bytes = (data: SourceData) =>
  typeof data === "string"
    ? Buffer.from(data)
    : data instanceof ArrayBuffer
      ? new Uint8Array(data)
      : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);

/** SignatureV4 wants a Checksum constructor: a SHA-256, or its HMAC when given a secret. */
class NodeSha256 {
  private hash;
  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash("sha256") : createHmac("sha256", bytes(secret));
  }
  update(data: SourceData) {
    this.hash.update(bytes(data));
  }
  async digest() {
    return new Uint8Array(this.hash.digest());
  }
  reset() {}
}

const signer = () =>
  new SignatureV4({
    credentials: {
      accessKeyId: region.credentials.accessKeyId,
      secretAccessKey: region.credentials.secretAccessKey,
    },
    region: "us-east-1",
    service: "s3",
    sha256: NodeSha256,
    uriEscapePath: false,
  });

interface Answer {
  status: number;
  body: string;
}

function send(path: string, method: string, headers: Record<string, string>, body: Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port: region.port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

async function fetchSigned(method: string, target: string, body: Buffer, host = `127.0.0.1:${region.port}`) {
  const [path, search] = target.split("?") as [string, string | undefined];
  const signed = await signer().sign({
    method,
    protocol: "http:",
    hostname: host.split(":")[0]!,
    port: region.port,
    path,
    query: Object.fromEntries(new URLSearchParams(search ?? "")),
    headers: { host, "x-amz-content-sha256": createHash("sha256").update(body).digest("hex") },
    body,
  });
  return send(target, method, signed.headers as Record<string, string>, body);
}

const hmacHex = (key: Buffer, text: string) => createHmac("sha256", key).update(text).digest("hex");
const sha256Hex = (b: Buffer | string) => createHash("sha256").update(b).digest("hex");

/** A PUT with each chunk signed, the last `tamper` chunk's data changed after signing when asked. */
async function putSignedChunks(key: string, chunks: Buffer[], tamper = false): Promise<Answer> {
  const host = `127.0.0.1:${region.port}`;
  const decoded = chunks.reduce((n, c) => n + c.length, 0);
  const signed = await signer().sign({
    method: "PUT",
    protocol: "http:",
    hostname: "127.0.0.1",
    port: region.port,
    path: `/wire/${key}`,
    headers: {
      host,
      "x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
      "content-encoding": "aws-chunked",
      "x-amz-decoded-content-length": String(decoded),
    },
  });
  const headers = signed.headers as Record<string, string>;
  const auth = /Credential=[^/]+\/(\d{8})\/([^/]+)\/s3\/aws4_request.*Signature=([0-9a-f]{64})/.exec(
    headers.authorization!,
  )!;
  const [, date, regionName, seed] = auth as unknown as [string, string, string, string];
  const amzDate = headers["x-amz-date"]!;
  const scope = `${date}/${regionName}/s3/aws4_request`;
  let key4 = createHmac("sha256", `AWS4${region.credentials.secretAccessKey}`).update(date).digest();
  for (const part of [regionName, "s3", "aws4_request"])
    key4 = createHmac("sha256", key4).update(part).digest();
  let previous = seed;
  const pieces: Buffer[] = [];
  for (const [i, data] of [...chunks, Buffer.alloc(0)].entries()) {
    const signature = hmacHex(
      key4,
      ["AWS4-HMAC-SHA256-PAYLOAD", amzDate, scope, previous, sha256Hex(""), sha256Hex(data)].join("\n"),
    );
    previous = signature;
    const sent = tamper && i === chunks.length - 1 ? Buffer.from(data).fill(0x7a) : data;
    pieces.push(
      Buffer.from(`${data.length.toString(16)};chunk-signature=${signature}\r\n`),
      sent,
      Buffer.from("\r\n"),
    );
  }
  const body = Buffer.concat(pieces);
  return send(`/wire/${key}`, "PUT", { ...headers, "content-length": String(body.length) }, body);
}

it("stores a STREAMING-AWS4-HMAC-SHA256-PAYLOAD body after checking every chunk's signature", async () => {
  const chunks = [Buffer.alloc(64 * 1024, "a"), Buffer.alloc(64 * 1024, "b"), Buffer.from("tail")];
  const ok = await putSignedChunks("signed", chunks);
  expect(ok.status).toBe(200);
  const got = await s3.send(new GetObjectCommand({ Bucket: "wire", Key: "signed" }));
  expect(Buffer.from(await got.Body!.transformToByteArray())).toEqual(Buffer.concat(chunks));
  const bad = await putSignedChunks("tampered", chunks, true);
  expect(bad.status).toBe(403);
  expect(bad.body).toContain("<Code>SignatureDoesNotMatch</Code>");
  const missing = await fetchSigned("GET", "/wire/tampered", Buffer.alloc(0));
  expect(missing.status).toBe(404);
  expect(missing.body).toContain("<Code>NoSuchKey</Code>");
});

it("checks a signed payload's hash and refuses a body that does not match it", async () => {
  const ok = await fetchSigned("PUT", "/wire/hashed", Buffer.from("exact"));
  expect(ok.status).toBe(200);
  const signed = await signer().sign({
    method: "PUT",
    protocol: "http:",
    hostname: "127.0.0.1",
    port: region.port,
    path: "/wire/hashed",
    headers: { host: `127.0.0.1:${region.port}`, "x-amz-content-sha256": sha256Hex("exact") },
  });
  const other = await send(
    "/wire/hashed",
    "PUT",
    signed.headers as Record<string, string>,
    Buffer.from("other"),
  );
  expect(other.status).toBe(400);
  expect(other.body).toContain("<Code>XAmzContentSHA256Mismatch</Code>");
});

it("sees the SDK's own modes: a stream as STREAMING-UNSIGNED-PAYLOAD-TRAILER with a CRC32 trailer", async () => {
  const modes: string[] = [];
  s3.middlewareStack.add(
    (next) => async (args) => {
      const headers = (args.request as { headers: Record<string, string> }).headers;
      modes.push(`${headers["x-amz-content-sha256"]} ${headers["x-amz-trailer"] ?? ""}`.trim());
      return next(args);
    },
    { step: "finalizeRequest", name: "captureMode", priority: "low" },
  );
  const { Readable } = await import("node:stream");
  await s3.send(
    new PutObjectCommand({
      Bucket: "wire",
      Key: "sdk",
      Body: Readable.from([Buffer.from("streamed")]),
      ContentLength: 8,
    }),
  );
  s3.middlewareStack.remove("captureMode");
  expect(modes).toEqual(["STREAMING-UNSIGNED-PAYLOAD-TRAILER x-amz-checksum-crc32"]);
});

it("addresses buckets virtual-host style: bucket.s3.localhost and bucket.localhost", async () => {
  for (const host of [`wire.s3.localhost:${region.port}`, `wire.localhost:${region.port}`]) {
    const put = await fetchSigned("PUT", "/vhost.txt", Buffer.from(host), host);
    expect(put.status).toBe(200);
    const got = await fetchSigned("GET", "/vhost.txt", Buffer.alloc(0), host);
    expect([got.status, got.body]).toEqual([200, host]);
  }
  const listed = await fetchSigned(
    "GET",
    "/?list-type=2",
    Buffer.alloc(0),
    `wire.s3.localhost:${region.port}`,
  );
  expect(listed.body).toContain("<Key>vhost.txt</Key>");
});

it("honours X-Amz-Expires of a presigned URL on the verifier's clock, and signs the path as sent", async () => {
  const signedAt = new Date("2026-12-01T10:00:00Z");
  const presigned = await signer().presign(
    {
      method: "GET",
      protocol: "http:",
      hostname: "127.0.0.1",
      port: region.port,
      path: "/wire/a%20b%2Bc",
      // What @aws-sdk/s3-request-presigner adds: S3 presigned URLs sign no payload.
      headers: { host: `127.0.0.1:${region.port}`, "x-amz-content-sha256": "UNSIGNED-PAYLOAD" },
    },
    { signingDate: signedAt, expiresIn: 60, unhoistableHeaders: new Set(["x-amz-content-sha256"]) },
  );
  const url = `${presigned.path}?${new URLSearchParams(presigned.query as Record<string, string>)}`;
  const secretFor = (id: string) =>
    id === region.credentials.accessKeyId ? region.credentials.secretAccessKey : undefined;
  const verify = (at: number, target = url) => {
    try {
      verifyRequest(
        { method: "GET", url: target, headers: presigned.headers, body: undefined },
        secretFor,
        new Date(signedAt.getTime() + at),
        { pathAsSent: true, presigned: true },
      );
      return "ok";
    } catch (error) {
      return error instanceof AuthFailure ? error.kind : String(error);
    }
  };
  expect(verify(59_000)).toBe("ok");
  expect(verify(61_000)).toBe("urlExpired");
  expect(verify(1_000, url.replace("a%20b", "a+b"))).toBe("mismatch");
  expect(verify(1_000, url.replace("X-Amz-Expires=60", "X-Amz-Expires=6000"))).toBe("mismatch");
});
