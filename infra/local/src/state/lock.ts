import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "./atomic-file.js";

// One region per state folder: two writers would overwrite each other's acknowledged state. A lock
// left by a process that died (kill -9) is taken over.

const heldHere = new Set<string>();

export function lockStateDir(stateDir: string): () => void {
  const file = join(stateDir, "region.pid");
  if (heldHere.has(file))
    throw new Error(`another local region in this process is using ${stateDir}; stop it first`);
  let holder: number | undefined;
  try {
    holder = Number(readFileSync(file, "utf8").trim());
  } catch {
    holder = undefined;
  }
  if (holder && holder !== process.pid && isAlive(holder)) {
    throw new Error(`another local region (pid ${holder}) is using ${stateDir}; stop it first`);
  }
  writeFileAtomic(file, `${process.pid}\n`);
  heldHere.add(file);
  return () => {
    heldHere.delete(file);
    try {
      if (Number(readFileSync(file, "utf8").trim()) === process.pid) rmSync(file, { force: true });
    } catch {
      // already gone
    }
  };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
