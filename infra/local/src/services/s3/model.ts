import { createHash } from "node:crypto";
import { AwsError } from "../../contracts.js";

// S3's buckets, objects and multipart uploads as plain state, and the rules S3 applies to them:
// bucket names, listing order and pages, part sizes, the multipart ETag, ranges. Object bodies are
// files of the service's store; the model holds only their ids (`blob`) and says which to delete.

export interface S3Object {
  size: number;
  /** Hex MD5 of the body, or of the parts' MD5s with `-<parts>` for a multipart object. */
  etag: string;
  contentType: string;
  lastModified: number;
  blob: string;
  metadata: Record<string, string>;
  /** Checksums the client sent (and the service verified), base64 by algorithm: `crc32`, ... */
  checksums: Record<string, string>;
}

export interface S3Bucket {
  createdAt: number;
  region: string;
  objects: Record<string, S3Object>;
}

export interface S3Part {
  size: number;
  etag: string;
  blob: string;
  lastModified: number;
  checksums: Record<string, string>;
}

export interface S3Upload {
  bucket: string;
  key: string;
  initiated: number;
  contentType: string;
  metadata: Record<string, string>;
  parts: Record<string, S3Part>;
}

export interface S3State {
  buckets: Record<string, S3Bucket>;
  uploads: Record<string, S3Upload>;
}

export const emptyS3State = (): S3State => ({ buckets: {}, uploads: {} });

/** S3's smallest part, but for the last one. */
export const MIN_PART_SIZE = 5 * 1024 * 1024;
export const MAX_PART_NUMBER = 10_000;

export interface ListRequest {
  prefix?: string | undefined;
  delimiter?: string | undefined;
  startAfter?: string | undefined;
  continuationToken?: string | undefined;
  maxKeys: number;
}

export interface ListResult {
  objects: { key: string; object: S3Object }[];
  commonPrefixes: string[];
  truncated: boolean;
  nextToken?: string;
}

export interface ByteRange {
  start: number;
  end: number;
}

export class S3Model {
  constructor(readonly state: S3State) {}

  createBucket(name: string, region: string, now: number): void {
    checkBucketName(name);
    if (this.state.buckets[name]) {
      throw new AwsError(
        "BucketAlreadyOwnedByYou",
        "Your previous request to create the named bucket succeeded and you already own it.",
        409,
      );
    }
    this.state.buckets[name] = { createdAt: now, region, objects: {} };
  }

  bucket(name: string): S3Bucket {
    const bucket = Object.hasOwn(this.state.buckets, name) ? this.state.buckets[name] : undefined;
    if (!bucket) throw new AwsError("NoSuchBucket", "The specified bucket does not exist", 404);
    return bucket;
  }

  deleteBucket(name: string): void {
    const bucket = this.bucket(name);
    const uploads = Object.values(this.state.uploads).some((u) => u.bucket === name);
    if (Object.keys(bucket.objects).length > 0 || uploads) {
      throw new AwsError("BucketNotEmpty", "The bucket you tried to delete is not empty", 409);
    }
    delete this.state.buckets[name];
  }

  listBuckets(): { name: string; bucket: S3Bucket }[] {
    return Object.entries(this.state.buckets)
      .sort(([a], [b]) => compareKeys(a, b))
      .map(([name, bucket]) => ({ name, bucket }));
  }

  object(bucketName: string, key: string): S3Object {
    const objects = this.bucket(bucketName).objects;
    const object = Object.hasOwn(objects, key) ? objects[key] : undefined;
    if (!object) throw new AwsError("NoSuchKey", "The specified key does not exist.", 404);
    return object;
  }

  /** Stores an object; returns the blob it replaced, for the store to delete. */
  putObject(bucketName: string, key: string, object: S3Object): string | undefined {
    checkKey(key);
    const objects = this.bucket(bucketName).objects;
    const previous = Object.hasOwn(objects, key) ? objects[key]?.blob : undefined;
    objects[key] = object;
    return previous;
  }

  /** S3 answers 204 whether or not the key existed; returns the blob to delete. */
  deleteObject(bucketName: string, key: string): string | undefined {
    const objects = this.bucket(bucketName).objects;
    if (!Object.hasOwn(objects, key)) return undefined;
    const blob = objects[key]!.blob;
    delete objects[key];
    return blob;
  }

  /** ListObjectsV2: keys in UTF-8 order after the token (or StartAfter), rolled up at the delimiter. */
  list(bucketName: string, request: ListRequest): ListResult {
    const bucket = this.bucket(bucketName);
    const prefix = request.prefix ?? "";
    const after = request.continuationToken
      ? decodeToken(request.continuationToken)
      : (request.startAfter ?? "");
    const result: ListResult = { objects: [], commonPrefixes: [], truncated: false };
    const keys = Object.keys(bucket.objects)
      .filter((key) => key.startsWith(prefix) && compareKeys(key, after) > 0)
      .sort(compareKeys);
    let last: string | undefined;
    for (const key of keys) {
      const rolledUp = rollUp(key, prefix, request.delimiter);
      // A prefix rolled up on an earlier page (the token names it) or already on this one.
      if (rolledUp !== undefined && (rolledUp === last || rolledUp === after)) continue;
      if (result.objects.length + result.commonPrefixes.length >= request.maxKeys) {
        result.truncated = true;
        break;
      }
      if (rolledUp !== undefined) result.commonPrefixes.push(rolledUp);
      else result.objects.push({ key, object: bucket.objects[key]! });
      last = rolledUp ?? key;
    }
    if (result.truncated && last !== undefined) result.nextToken = encodeToken(last);
    return result;
  }

  createUpload(id: string, upload: Omit<S3Upload, "parts">): void {
    this.bucket(upload.bucket);
    checkKey(upload.key);
    this.state.uploads[id] = { ...upload, parts: {} };
  }

  upload(id: string, bucketName: string, key: string): S3Upload {
    this.bucket(bucketName);
    const upload = Object.hasOwn(this.state.uploads, id) ? this.state.uploads[id] : undefined;
    if (!upload || upload.bucket !== bucketName || upload.key !== key) {
      throw new AwsError(
        "NoSuchUpload",
        "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.",
        404,
      );
    }
    return upload;
  }

  /** Stores a part; returns the blob of the part it replaced. */
  putPart(id: string, bucketName: string, key: string, partNumber: number, part: S3Part): string | undefined {
    checkPartNumber(partNumber);
    const upload = this.upload(id, bucketName, key);
    const previous = upload.parts[partNumber]?.blob;
    upload.parts[partNumber] = part;
    return previous;
  }

  /**
   * The parts a CompleteMultipartUpload names, checked as S3 checks them: each uploaded with that
   * ETag, in ascending order, all but the last at least 5 MiB. Returns the object's blobs in order
   * and its ETag; the upload stays until `finishUpload`.
   */
  completion(
    id: string,
    bucketName: string,
    key: string,
    requested: { partNumber: number; etag: string }[],
  ): { parts: S3Part[]; etag: string; size: number } {
    const upload = this.upload(id, bucketName, key);
    if (requested.length === 0) {
      throw new AwsError(
        "MalformedXML",
        "The XML you provided was not well-formed or did not validate against our published schema.",
      );
    }
    const parts: S3Part[] = [];
    let previous = 0;
    for (const { partNumber, etag } of requested) {
      const part = upload.parts[partNumber];
      if (!part || unquote(etag) !== part.etag) {
        throw new AwsError(
          "InvalidPart",
          "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
        );
      }
      if (partNumber <= previous) {
        throw new AwsError(
          "InvalidPartOrder",
          "The list of parts was not in ascending order. Parts must be ordered by part number.",
        );
      }
      previous = partNumber;
      parts.push(part);
    }
    parts.slice(0, -1).forEach((part) => {
      if (part.size < MIN_PART_SIZE)
        throw new AwsError(
          "EntityTooSmall",
          "Your proposed upload is smaller than the minimum allowed object size.",
        );
    });
    return {
      parts,
      etag: multipartEtag(parts.map((p) => p.etag)),
      size: parts.reduce((n, p) => n + p.size, 0),
    };
  }

  /** Ends an upload (completed or aborted); returns the blobs of its parts for the store to delete. */
  finishUpload(id: string, bucketName: string, key: string): string[] {
    const upload = this.upload(id, bucketName, key);
    delete this.state.uploads[id];
    return Object.values(upload.parts).map((p) => p.blob);
  }

  parts(id: string, bucketName: string, key: string): { partNumber: number; part: S3Part }[] {
    return Object.entries(this.upload(id, bucketName, key).parts)
      .map(([n, part]) => ({ partNumber: Number(n), part }))
      .sort((a, b) => a.partNumber - b.partNumber);
  }
}

/** S3's multipart ETag: the MD5 of the parts' binary MD5s, then `-` and the part count. */
export function multipartEtag(partEtags: string[]): string {
  const md5 = createHash("md5");
  for (const etag of partEtags) md5.update(Buffer.from(etag, "hex"));
  return `${md5.digest("hex")}-${partEtags.length}`;
}

/**
 * A `Range: bytes=...` header against an object's size: undefined for the whole object (no header,
 * or one S3 ignores), else the bytes; InvalidRange when no byte of the object is in it.
 */
export function resolveRange(header: string | undefined, size: number): ByteRange | undefined {
  if (!header) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === "" && match[2] === "")) return undefined;
  const [, from, to] = match as unknown as [string, string, string];
  const invalid = () => new AwsError("InvalidRange", "The requested range is not satisfiable", 416);
  if (from === "") {
    const suffix = Number(to);
    if (suffix === 0 || size === 0) throw invalid();
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(from);
  const end = to === "" ? size - 1 : Math.min(Number(to), size - 1);
  if (to !== "" && Number(to) < start) return undefined;
  if (start >= size) throw invalid();
  return { start, end };
}

/** Bucket names as S3 allows them for new buckets: 3-63 of a-z 0-9 . -, no IP address. */
export function checkBucketName(name: string): void {
  const valid =
    /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name) &&
    !name.includes("..") &&
    !/^\d+\.\d+\.\d+\.\d+$/.test(name);
  if (!valid) throw new AwsError("InvalidBucketName", "The specified bucket is not valid.");
}

function checkKey(key: string): void {
  if (key.length === 0 || Buffer.byteLength(key) > 1024) {
    throw new AwsError("KeyTooLongError", "Your key is too long");
  }
}

function checkPartNumber(n: number): void {
  if (!Number.isInteger(n) || n < 1 || n > MAX_PART_NUMBER) {
    throw new AwsError("InvalidArgument", "Part number must be an integer between 1 and 10000, inclusive");
  }
}

function rollUp(key: string, prefix: string, delimiter: string | undefined): string | undefined {
  if (!delimiter) return undefined;
  const at = key.indexOf(delimiter, prefix.length);
  return at < 0 ? undefined : key.slice(0, at + delimiter.length);
}

/** S3 lists in UTF-8 binary order. */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

function encodeToken(after: string): string {
  return Buffer.from(after, "utf8").toString("base64url");
}

function decodeToken(token: string): string {
  const after = Buffer.from(token, "base64url").toString("utf8");
  if (encodeToken(after) !== token)
    throw new AwsError("InvalidArgument", "The continuation token provided is incorrect");
  return after;
}

function unquote(etag: string): string {
  return etag.trim().replace(/^"|"$/g, "");
}
