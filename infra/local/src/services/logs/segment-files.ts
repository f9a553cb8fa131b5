import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, truncateSync } from "node:fs";
import { join } from "node:path";
import { appendText } from "../../state/append-file.js";
import { writeFileAtomic } from "../../state/atomic-file.js";
import type { SegmentIndex, SegmentIo, StreamKey } from "./event-store.js";

// Segments on disk: `<stateDir>/logs/<group hash>/<stream hash>/<first seq>.jsonl`, and beside a
// sealed one its index (`.idx`, written atomically once). Names are hashed because stream names may
// hold any character but `:` and `*` and be 512 long; the state JSON keeps the names.

const SEGMENT = /^(\d{16})\.jsonl$/;

export function diskSegments(stateDir: string): SegmentIo {
  const root = join(stateDir, "logs");
  const folder = (key: StreamKey) => join(root, hash(key.group), hash(key.stream));
  const file = (key: StreamKey, firstSeq: number, ext: string) =>
    join(folder(key), `${String(firstSeq).padStart(16, "0")}.${ext}`);
  return {
    load: (key) => loadStream(folder(key)),
    append: (key, firstSeq, text, sync) => {
      mkdirSync(folder(key), { recursive: true });
      appendText(file(key, firstSeq, "jsonl"), text, sync);
    },
    seal: (key, index) => writeFileAtomic(file(key, index.firstSeq, "idx"), JSON.stringify(index)),
    read: (key, firstSeq) => readText(file(key, firstSeq, "jsonl")),
    remove: (key, firstSeq) => {
      rmSync(file(key, firstSeq, "jsonl"), { force: true });
      rmSync(file(key, firstSeq, "idx"), { force: true });
    },
    removeStream: (key) => rmSync(folder(key), { recursive: true, force: true }),
    bytes: (key) => {
      if (!existsSync(folder(key))) return 0;
      const names = readdirSync(folder(key)).filter((n) => SEGMENT.test(n));
      return names.reduce((n, name) => n + statSync(join(folder(key), name)).size, 0);
    },
  };
}

function loadStream(folder: string) {
  if (!existsSync(folder)) return [];
  const names = readdirSync(folder)
    .filter((n) => SEGMENT.test(n))
    .sort();
  return names.map((name, i) => {
    const firstSeq = Number(SEGMENT.exec(name)?.[1]);
    const path = join(folder, name);
    const indexFile = path.replace(/\.jsonl$/, ".idx");
    if (i < names.length - 1 && existsSync(indexFile)) {
      return { firstSeq, index: JSON.parse(readFileSync(indexFile, "utf8")) as SegmentIndex };
    }
    return { firstSeq, text: dropTornLine(path) };
  });
}

/** The open segment's text; a line a crash cut short is cut off, so the next append starts clean. */
function dropTornLine(path: string): string {
  const text = readFileSync(path, "utf8");
  const end = text.lastIndexOf("\n") + 1;
  if (end < text.length) truncateSync(path, Buffer.byteLength(text.slice(0, end), "utf8"));
  return text.slice(0, end);
}

function readText(path: string): string {
  return existsSync(path) && statSync(path).isFile() ? readFileSync(path, "utf8") : "";
}

const hash = (name: string) => createHash("sha256").update(name).digest("hex").slice(0, 32);
