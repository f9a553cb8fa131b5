import { randomUUID } from "node:crypto";
import { createReadStream, createWriteStream, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { moveIntoPlace } from "../../state/atomic-file.js";

// Object and part bodies as files, `<stateDir>/s3/blobs/<id>`, named by an id the model records.
// A body is written to `s3/tmp/` and moved into place (fsynced) before the model names it, so that
// a committed object always has its file; a file no object names is only garbage.

export class ObjectFiles {
  private readonly blobs: string;
  private readonly tmp: string;

  constructor(stateDir: string) {
    this.blobs = join(stateDir, "s3", "blobs");
    this.tmp = join(stateDir, "s3", "tmp");
    mkdirSync(this.blobs, { recursive: true });
    // What a crash left half-written is no object's.
    rmSync(this.tmp, { recursive: true, force: true });
    mkdirSync(this.tmp, { recursive: true });
  }

  /** A temp file to stream a body into; `keep()` moves it into place and returns its blob id. */
  newTemp(): { path: string; stream: () => Writable; keep: () => string; discard: () => void } {
    const id = randomUUID();
    const path = join(this.tmp, id);
    return {
      path,
      stream: () => createWriteStream(path, { mode: 0o600 }),
      keep: () => {
        moveIntoPlace(path, this.path(id));
        return id;
      },
      discard: () => rmSync(path, { force: true }),
    };
  }

  read(blob: string, range?: { start: number; end: number }): Readable {
    return createReadStream(this.path(blob), range);
  }

  /** The blobs one after another in a new blob (a completed multipart upload, a copy). */
  async concat(blobs: string[]): Promise<string> {
    const temp = this.newTemp();
    const out = temp.stream();
    try {
      for (const blob of blobs) await pipeline(this.read(blob), out, { end: false });
      await new Promise<void>((resolve, reject) =>
        out.end((error?: Error | null) => (error ? reject(error) : resolve())),
      );
      return temp.keep();
    } catch (error) {
      out.destroy();
      temp.discard();
      throw error;
    }
  }

  delete(blob: string | undefined): void {
    if (blob) rmSync(this.path(blob), { force: true });
  }

  private path(blob: string): string {
    if (!/^[0-9a-f-]{36}$/.test(blob)) throw new Error(`not a blob id: ${blob}`);
    return join(this.blobs, blob);
  }
}
