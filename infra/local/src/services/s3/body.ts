import { createHash, type Hash } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { crc32 } from "node:zlib";
import { AwsError, type RestCall } from "../../contracts.js";
import { AwsChunkedDecoder } from "./aws-chunked.js";
import type { ObjectFiles } from "./object-files.js";

// A request body streamed to a temp file, checked on the way as S3 checks it: the declared
// x-amz-content-sha256 (or each signed chunk), Content-MD5, the decoded length, and the flexible
// checksums (header or aws-chunked trailer) the SDKs add. Nothing is kept if a check fails.

export interface ReceivedBody {
  blob: string;
  size: number;
  md5: string;
  /** Verified checksums, base64 by algorithm (`crc32`, `sha1`, `sha256`). */
  checksums: Record<string, string>;
}

const ALGORITHMS = ["crc32", "sha1", "sha256"] as const;
/** S3's largest single PUT (and part): 5 GiB. */
export const MAX_BODY_BYTES = 5 * 1024 ** 3;
type Algorithm = (typeof ALGORITHMS)[number];

export async function receiveBody(call: RestCall, files: ObjectFiles): Promise<ReceivedBody> {
  const { req, signing } = call;
  const mode = signing.payloadHash;
  const streaming = mode.startsWith("STREAMING-");
  if (streaming && !/^STREAMING-(UNSIGNED-PAYLOAD-TRAILER|AWS4-HMAC-SHA256-PAYLOAD)$/.test(mode)) {
    throw new AwsError("NotImplemented", `The payload signing mode ${mode} is not supported`, 501);
  }
  const decoder = streaming
    ? new AwsChunkedDecoder(mode === "STREAMING-AWS4-HMAC-SHA256-PAYLOAD" ? signing : undefined)
    : undefined;
  const declared = mode === "UNSIGNED-PAYLOAD" || streaming ? undefined : mode;
  const meter = new BodyMeter(declared, claimedAlgorithms(req, declared !== undefined));
  const temp = files.newTemp();
  try {
    const stages = decoder ? [req, decoder, meter, temp.stream()] : [req, meter, temp.stream()];
    await pipeline(stages as [IncomingMessage, Transform, Transform, NodeJS.WritableStream]);
    const checksums = meter.check(req, decoder?.trailers);
    return { blob: temp.keep(), size: meter.size, md5: meter.md5Hex, checksums };
  } catch (error) {
    temp.discard();
    throw error instanceof AwsError ? error : incomplete(error);
  }
}

/** The checksums a request claims (headers, or trailers it announces): only those are computed. */
function claimedAlgorithms(req: IncomingMessage, sha256Declared: boolean): Set<Algorithm> {
  const trailers = (header(req, "x-amz-trailer") ?? "").toLowerCase();
  const claimed = new Set<Algorithm>(
    ALGORITHMS.filter(
      (a) => header(req, `x-amz-checksum-${a}`) !== undefined || trailers.includes(`x-amz-checksum-${a}`),
    ),
  );
  if (sha256Declared) claimed.add("sha256");
  return claimed;
}

class BodyMeter extends Transform {
  size = 0;
  md5Hex = "";
  private readonly md5 = createHash("md5");
  private readonly sha256: Hash | undefined;
  private readonly sha1: Hash | undefined;
  private crc: number | undefined;

  constructor(
    private readonly declaredSha256: string | undefined,
    algorithms: Set<Algorithm>,
  ) {
    super();
    if (algorithms.has("sha256")) this.sha256 = createHash("sha256");
    if (algorithms.has("sha1")) this.sha1 = createHash("sha1");
    if (algorithms.has("crc32")) this.crc = 0;
  }

  override _transform(chunk: Buffer, _e: BufferEncoding, callback: (error?: Error) => void): void {
    this.size += chunk.length;
    if (this.size > MAX_BODY_BYTES) {
      callback(
        new AwsError("EntityTooLarge", "Your proposed upload exceeds the maximum allowed object size."),
      );
      return;
    }
    this.md5.update(chunk);
    this.sha256?.update(chunk);
    this.sha1?.update(chunk);
    if (this.crc !== undefined) this.crc = crc32(chunk, this.crc);
    this.push(chunk);
    callback();
  }

  check(req: IncomingMessage, trailers: Map<string, string> | undefined): Record<string, string> {
    const md5 = this.md5.digest();
    this.md5Hex = md5.toString("hex");
    const actual: Partial<Record<Algorithm, string>> = {
      crc32: this.crc === undefined ? undefined : uint32Base64(this.crc),
      sha1: this.sha1?.digest("base64"),
      sha256: this.sha256?.digest("base64"),
    };
    if (
      this.declaredSha256 &&
      Buffer.from(actual.sha256 ?? "", "base64").toString("hex") !== this.declaredSha256
    ) {
      throw new AwsError(
        "XAmzContentSHA256Mismatch",
        "The provided 'x-amz-content-sha256' header does not match what was computed.",
      );
    }
    const decoded = header(req, "x-amz-decoded-content-length");
    if (trailers && decoded !== undefined && Number(decoded) !== this.size) {
      throw new AwsError(
        "IncompleteBody",
        "You did not provide the number of bytes specified by the Content-Length HTTP header",
      );
    }
    const contentMd5 = header(req, "content-md5");
    if (contentMd5 !== undefined && contentMd5 !== md5.toString("base64")) {
      throw new AwsError("BadDigest", "The Content-MD5 you specified did not match what we received.");
    }
    const verified: Record<string, string> = {};
    for (const algorithm of ALGORITHMS) {
      const name = `x-amz-checksum-${algorithm}`;
      const claimed = trailers?.get(name) ?? header(req, name);
      if (claimed === undefined) continue;
      if (claimed !== actual[algorithm]) {
        throw new AwsError(
          "BadDigest",
          `The ${algorithm.toUpperCase()} you specified did not match the calculated checksum.`,
        );
      }
      verified[algorithm] = claimed;
    }
    return verified;
  }
}

function uint32Base64(value: number): string {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(value >>> 0);
  return bytes.toString("base64");
}

function incomplete(error: unknown): AwsError {
  return new AwsError("IncompleteBody", `The request body could not be read: ${(error as Error).message}`);
}

export function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
