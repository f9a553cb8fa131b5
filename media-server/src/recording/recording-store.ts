import { randomUUID } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import { GetObjectCommand, type GetObjectCommandOutput, S3Client } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { illegalParam } from "../protocol/errors.js";

// Where recordings live: a folder (RECORDINGS_DIR) locally, the environment's S3 bucket
// (RECORDINGS_BUCKET) on AWS. Either way the recorder writes a local file first; the store says
// where, and publishes the finished file.

export interface RecordingTarget {
  /** The local file the finished (remuxed) recording is written to. */
  file: string;
  /** Makes the finished file visible at its URI (a rename, or an S3 upload). */
  publish(): Promise<void>;
}

export interface RecordingStore {
  /** Checks a RecorderEndpoint uri (an error for the client when it leaves the store). */
  target(uri: string): RecordingTarget;
  /** Whether a PlayerEndpoint uri names a stored recording (else it may be an http(s) URL). */
  owns(uri: string): boolean;
  /** A local file holding the recording at `uri`, and how to let go of it. */
  open(uri: string): Promise<{ file: string; done(): Promise<void> }>;
}

const SAFE_KEY = /^[A-Za-z0-9._/-]{1,900}$/;

/** The path of a file:// uri inside `dir`, or a client error: no `..`, no other folder. */
export function pathInside(dir: string, uri: string): string {
  let file: string;
  try {
    file = path.resolve(fileURLToPath(new URL(uri)));
  } catch {
    throw illegalParam(`uri '${uri.slice(0, 200)}' is not a file:// URI`);
  }
  const root = path.resolve(dir);
  if (!file.startsWith(root + path.sep) || !SAFE_KEY.test(path.relative(root, file))) {
    throw illegalParam(`uri must name a file inside the recordings folder ${pathToUri(root)}/`);
  }
  return file;
}

const pathToUri = (p: string) => `file://${p}`;

export class FolderStore implements RecordingStore {
  constructor(readonly dir: string) {}

  target(uri: string): RecordingTarget {
    const file = pathInside(this.dir, uri);
    const part = `${file}.${randomUUID()}.part`;
    return {
      file: part,
      publish: async () => rename(part, file),
    };
  }

  owns(uri: string): boolean {
    return uri.startsWith("file:");
  }

  async open(uri: string) {
    return { file: pathInside(this.dir, uri), done: async () => {} };
  }
}

/** Where recordings go in the environment's bucket; the task role may write nowhere else. */
export const RECORDINGS_PREFIX = "recordings/";

/**
 * On AWS: `s3://<bucket>/recordings/<key>` (or a file:// uri inside RECORDINGS_DIR, its relative
 * path under recordings/) is recorded to a temporary file and uploaded when it is finished. The
 * bucket is the environment's, shared with the API's objects: a client's uri never leaves the prefix.
 */
export class S3Store implements RecordingStore {
  constructor(
    private readonly bucket: string,
    private readonly dir: string,
    private readonly s3: S3Client = new S3Client({}),
  ) {}

  key(uri: string): string {
    if (uri.startsWith("file:"))
      return RECORDINGS_PREFIX + path.relative(path.resolve(this.dir), pathInside(this.dir, uri));
    const prefix = `s3://${this.bucket}/${RECORDINGS_PREFIX}`;
    const key = uri.startsWith(prefix) ? uri.slice(prefix.length) : undefined;
    if (!key || !SAFE_KEY.test(key) || key.split("/").some((s) => s === ".." || s === "." || s === "")) {
      throw illegalParam(`uri must be ${prefix}<name> or a file:// uri inside the recordings folder`);
    }
    return RECORDINGS_PREFIX + key;
  }

  target(uri: string): RecordingTarget {
    const key = this.key(uri);
    const file = path.join(tmpdir(), `recording-${randomUUID()}.webm`);
    return {
      file,
      publish: async () => {
        try {
          const body = createReadStream(file);
          await new Upload({
            client: this.s3,
            params: { Bucket: this.bucket, Key: key, Body: body, ContentType: "video/webm" },
          }).done();
        } finally {
          await rm(file, { force: true });
        }
      },
    };
  }

  owns(uri: string): boolean {
    return uri.startsWith("file:") || uri.startsWith("s3:");
  }

  async open(uri: string) {
    const key = this.key(uri);
    const file = path.join(tmpdir(), `playback-${randomUUID()}.webm`);
    let object: GetObjectCommandOutput;
    try {
      object = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    } catch {
      throw illegalParam(`no recording at ${uri.slice(0, 200)}`);
    }
    await pipeline(object.Body as Readable, createWriteStream(file));
    return { file, done: () => rm(file, { force: true }) };
  }
}

export function recordingStore(config: { recordingsDir: string; recordingsBucket: string | undefined }) {
  return config.recordingsBucket
    ? new S3Store(config.recordingsBucket, config.recordingsDir)
    : new FolderStore(config.recordingsDir);
}

export const ensureParent = (file: string) => mkdir(path.dirname(file), { recursive: true });
