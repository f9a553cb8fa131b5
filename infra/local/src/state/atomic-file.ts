import { closeSync, fsyncSync, openSync, renameSync, writeSync } from "node:fs";
import { dirname } from "node:path";

// The one way a file reaches disk so that a crash at any moment leaves either the old or the new
// content: the data is in a temp file, fsynced, renamed over the target, and the folder fsynced.

export function writeFileAtomic(path: string, data: string | Buffer, mode = 0o644): void {
  const temp = `${path}.${process.pid}.tmp`;
  const fd = openSync(temp, "w", mode);
  try {
    writeSync(fd, typeof data === "string" ? Buffer.from(data, "utf8") : data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSynced(temp, path);
}

/** Puts a temp file written elsewhere (a layer upload) in place the same way. */
export function moveIntoPlace(temp: string, path: string): void {
  syncPath(temp);
  renameSynced(temp, path);
}

function renameSynced(temp: string, path: string): void {
  renameSync(temp, path);
  syncPath(dirname(path));
}

function syncPath(path: string): void {
  const fd = openSync(path, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
