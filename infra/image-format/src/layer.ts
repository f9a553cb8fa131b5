import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, posix } from "node:path";
import { gzipSync } from "node:zlib";
import { create as createTar } from "tar";
import { sha256Digest } from "./digest.js";

/** Every entry gets this mtime, so a layer's digest depends on content only (like SOURCE_DATE_EPOCH). */
export const LAYER_MTIME = new Date("2000-01-01T00:00:00.000Z");

/** A file of an image given in memory instead of on disk. */
export interface ImageFile {
  /** Relative POSIX path inside the image's root, e.g. `main.js` or `public/index.html`. */
  path: string;
  content: string | Uint8Array;
  /** Unix permission bits; 0o644 unless given (0o755 for executables). */
  mode?: number;
}

export interface PackedLayer {
  /** sha256 of the gzipped tar: the blob's identity in the registry. */
  digest: string;
  /** sha256 of the uncompressed tar: the config's `rootfs.diff_ids` entry. */
  diffId: string;
  /** Size of the gzipped blob in bytes. */
  size: number;
  bytes: Buffer;
}

/**
 * Packs a directory into a reproducible tar.gz layer: entries in sorted depth-first order, fixed
 * mtimes, no owner or device metadata (tar's `portable`), a gzip header without a timestamp.
 */
export async function packLayer(rootDir: string): Promise<PackedLayer> {
  const entries = await sortedEntries(rootDir);
  const tarBytes = await createTar(
    { cwd: rootDir, portable: true, mtime: LAYER_MTIME, noDirRecurse: true, follow: false },
    entries,
  ).concat();
  const bytes = gzipSync(tarBytes, { level: 9 });
  return { digest: sha256Digest(bytes), diffId: sha256Digest(tarBytes), size: bytes.length, bytes };
}

/** Packs in-memory files by writing them to a scratch folder first. */
export async function packFilesLayer(files: ImageFile[]): Promise<PackedLayer> {
  const scratch = await mkdtemp(join(tmpdir(), "image-layer-"));
  try {
    await writeImageFiles(scratch, files);
    return await packLayer(scratch);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

async function writeImageFiles(root: string, files: ImageFile[]): Promise<void> {
  const seen = new Set<string>();
  for (const file of files) {
    const path = safeRelativePath(file.path);
    if (seen.has(path)) throw new Error(`image file "${file.path}" is listed twice`);
    seen.add(path);
    const target = join(root, path);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, file.content, { mode: file.mode ?? 0o644 });
  }
}

/** Rejects absolute paths and `..`: an image file must stay inside the image. */
export function safeRelativePath(path: string): string {
  const normalized = posix.normalize(path.replaceAll("\\", "/"));
  if (!path || normalized.startsWith("/") || normalized === ".." || normalized.startsWith("../")) {
    throw new Error(`image file path "${path}" must be relative and stay inside the image`);
  }
  return normalized;
}

async function sortedEntries(rootDir: string, prefix = ""): Promise<string[]> {
  const dirents = await readdir(join(rootDir, prefix), { withFileTypes: true });
  dirents.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const out: string[] = [];
  for (const dirent of dirents) {
    const rel = prefix ? `${prefix}/${dirent.name}` : dirent.name;
    out.push(rel);
    if (dirent.isDirectory()) out.push(...(await sortedEntries(rootDir, rel)));
  }
  return out;
}
