import { constants, createReadStream, createWriteStream } from "node:fs";
import { copyFile, link, mkdir, rename, rm, stat } from "node:fs/promises";
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
  /**
   * Stores the file at `path`. `handOver`: the caller never writes to that file again (it may only
   * read or delete it), so a store on the same disk may make the file the object itself.
   */
  putFile(key: string, path: string, options?: { handOver?: boolean }): Promise<number>;
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

  put(key: string, body: Readable): Promise<number> {
    return this.writeAside(key, (partial) => pipeline(body, createWriteStream(partial)));
  }

  /**
   * A kernel copy (a clone where the file system has them), not a stream through this process; a
   * file handed over is linked instead, since nothing will change it under the object.
   */
  putFile(key: string, path: string, { handOver = false } = {}): Promise<number> {
    return this.writeAside(key, (partial) =>
      handOver ? linkOrCopy(path, partial) : copyFile(path, partial, constants.COPYFILE_FICLONE),
    );
  }

  /** Written aside, then renamed: a reader never sees half an object. */
  private async writeAside(key: string, write: (partial: string) => Promise<void>): Promise<number> {
    const path = this.path(key);
    await mkdir(dirname(path), { recursive: true });
    const partial = `${path}.partial-${process.pid}-${Date.now()}`;
    try {
      await write(partial);
      await rename(partial, path);
    } catch (error) {
      await rm(partial, { force: true });
      throw error;
    }
    return (await stat(path)).size;
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

  /**
   * A hard link when the destination is on the same file system: no bytes move. Objects are never
   * written in place (put renames a new file over the old), so the link keeps the content it had,
   * and jobs only read their inputs. Elsewhere, a kernel copy.
   */
  async download(key: string, destination: string): Promise<number> {
    await linkOrCopy(this.path(key), destination);
    return (await stat(destination)).size;
  }

  async removePrefix(prefix: string): Promise<void> {
    await rm(this.path(prefix.replace(/\/+$/, "")), { recursive: true, force: true });
  }
}

/** A hard link where both paths are on one file system (no bytes move), else a kernel copy. */
async function linkOrCopy(source: string, destination: string): Promise<void> {
  try {
    await link(source, destination);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") throw error;
    await copyFile(source, destination, constants.COPYFILE_FICLONE);
  }
}
