import { createHash } from "node:crypto";
import { Transform, type TransformCallback } from "node:stream";
import { AwsError } from "../../contracts.js";
import { hmac, type SigningChain, sha256Hex } from "../../wire/sigv4.js";

// `Content-Encoding: aws-chunked` bodies: `<hex size>[;chunk-signature=<sig>]\r\n<data>\r\n` ...
// `0[;chunk-signature=<sig>]\r\n`, then trailers (`x-amz-checksum-crc32:<b64>`) and an empty line.
// With STREAMING-AWS4-HMAC-SHA256-PAYLOAD each chunk's signature chains on the previous one, the
// first on the request's; the decoder passes the data on and fails the stream on a bad signature.

const EMPTY_SHA256 = sha256Hex("");
const MAX_LINE = 4096;

export class AwsChunkedDecoder extends Transform {
  readonly trailers = new Map<string, string>();
  private buffer: Buffer = Buffer.alloc(0);
  private remaining = -1;
  private chunkHash = createHash("sha256");
  private chunkSignature = "";
  private previous: string;
  private done = false;
  private inTrailers = false;

  /** `signing` when chunks are signed (STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]). */
  constructor(private readonly signing?: SigningChain) {
    super();
    this.previous = signing?.signature ?? "";
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    try {
      this.parse();
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    callback(this.done ? undefined : malformed("the aws-chunked body ended early"));
  }

  private parse(): void {
    while (this.buffer.length > 0 && !this.done) {
      if (this.remaining > 0) {
        const data = this.buffer.subarray(0, this.remaining);
        this.buffer = this.buffer.subarray(data.length);
        this.remaining -= data.length;
        this.chunkHash.update(data);
        this.push(data);
        continue;
      }
      const line = this.takeLine();
      if (line === undefined) return;
      if (this.remaining === 0) {
        if (line !== "") throw malformed("a chunk is longer than its size");
        this.endChunk();
      } else if (this.inTrailers) this.trailer(line);
      else this.header(line);
    }
  }

  private header(line: string): void {
    const match = /^([0-9a-fA-F]+)(?:;chunk-signature=([0-9a-f]{64}))?$/.exec(line);
    if (!match) throw malformed("a chunk header is not `<hex size>[;chunk-signature=...]`");
    if (this.signing && !match[2]) throw signatureError();
    this.chunkSignature = match[2] ?? "";
    this.remaining = Number.parseInt(match[1]!, 16);
    this.chunkHash = createHash("sha256");
    if (this.remaining === 0) {
      this.endChunk();
      this.inTrailers = true;
    }
  }

  private endChunk(): void {
    this.remaining = -1;
    if (!this.signing) return;
    const stringToSign = [
      "AWS4-HMAC-SHA256-PAYLOAD",
      this.signing.amzDate,
      this.signing.scope,
      this.previous,
      EMPTY_SHA256,
      this.chunkHash.digest("hex"),
    ].join("\n");
    const expected = hmac(this.signing.key, stringToSign).toString("hex");
    if (expected !== this.chunkSignature) throw signatureError();
    this.previous = expected;
  }

  private trailer(line: string): void {
    if (line === "") {
      this.done = true;
      return;
    }
    const colon = line.indexOf(":");
    if (colon <= 0) throw malformed("a trailer is not `name:value`");
    this.trailers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }

  private takeLine(): string | undefined {
    const end = this.buffer.indexOf("\r\n");
    if (end < 0) {
      if (this.buffer.length > MAX_LINE) throw malformed("a chunk header or trailer is too long");
      return undefined;
    }
    const line = this.buffer.subarray(0, end).toString("latin1");
    this.buffer = this.buffer.subarray(end + 2);
    return line;
  }
}

function malformed(why: string): AwsError {
  return new AwsError("IncompleteBody", `The request body is not valid aws-chunked encoding: ${why}`);
}

function signatureError(): AwsError {
  return new AwsError(
    "SignatureDoesNotMatch",
    "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
    403,
  );
}
