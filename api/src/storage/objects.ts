import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import { dirname, extname, resolve, sep } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { validateKey } from "../model/uris.js";

// The service's own storage: a folder locally, the environment's S3 bucket on AWS. Keys are already
// validated (model/uris.ts); the folder store checks once more that a path stays inside its root.

export interface ObjectInfo {
  size: number;
  contentType: string;
}

export interface ByteRange {
  start: number;
  end: number;
}

export interface ObjectStore {
  readonly description: string;
  put(key: string, body: Readable, contentType: string, size?: number): Promise<number>;
  putFile(key: string, path: string): Promise<number>;
  info(key: string): Promise<ObjectInfo | undefined>;
  read(key: string, range?: ByteRange): Promise<Readable>;
  download(key: string, destination: string): Promise<number>;
  /** Deletes every object under `prefix` (a folder-like key ending in `/`); none is fine. */
  removePrefix(prefix: string): Promise<void>;
}

const TYPES: Record<string, string> = {
  ".mp4": "video/mp4",
  ".m4v": "video/mp4",
  ".mov": "video/quicktime",
  ".mkv": "video/x-matroska",
  ".webm": "video/webm",
  ".ts": "video/mp2t",
  ".json": "application/json",
};

export function contentTypeOf(key: string): string {
  return TYPES[extname(key).toLowerCase()] ?? "application/octet-stream";
}

/** Each user's objects live under their own prefix: `objects://a/b` of alice is `users/alice/a/b`. */
export function userKey(userid: string, key: string): string {
  return `users/${userid}/${validateKey(key)}`;
}

export class FolderObjectStore implements ObjectStore {
  private readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  get description() {
    return `folder ${this.root}`;
  }

  private path(key: string): string {
    const path = resolve(this.root, key);
    if (!path.startsWith(this.root + sep)) throw new Error(`object key escapes the storage folder`);
    return path;
  }

  async put(key: string, body: Readable): Promise<number> {
    const path = this.path(key);
    await mkdir(dirname(path), { recursive: true });
    // Written aside, then renamed: a reader never sees half an object.
    const partial = `${path}.partial-${process.pid}-${Date.now()}`;
    try {
      await pipeline(body, createWriteStream(partial));
      await rename(partial, path);
    } catch (error) {
      await rm(partial, { force: true });
      throw error;
    }
    return (await stat(path)).size;
  }

  putFile(key: string, path: string): Promise<number> {
    return this.put(key, createReadStream(path));
  }

  async info(key: string): Promise<ObjectInfo | undefined> {
    try {
      const s = await stat(this.path(key));
      return s.isFile() ? { size: s.size, contentType: contentTypeOf(key) } : undefined;
    } catch {
      return undefined;
    }
  }

  async read(key: string, range?: ByteRange): Promise<Readable> {
    return createReadStream(this.path(key), range ? { start: range.start, end: range.end } : {});
  }

  async download(key: string, destination: string): Promise<number> {
    await pipeline(createReadStream(this.path(key)), createWriteStream(destination));
    return (await stat(destination)).size;
  }

  async removePrefix(prefix: string): Promise<void> {
    await rm(this.path(prefix.replace(/\/+$/, "")), { recursive: true, force: true });
  }
}
