import { closeSync, fsyncSync, openSync, writeSync } from "node:fs";

// The one way text is appended to a log file (metric log, log segments): on disk before it returns
// when `sync` is set, so what was acknowledged survives a kill -9 or a power cut.

export function appendText(path: string, text: string, sync = true): void {
  const fd = openSync(path, "a", 0o600);
  try {
    writeSync(fd, text);
    if (sync) fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
