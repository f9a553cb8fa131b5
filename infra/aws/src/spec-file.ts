import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const SPEC_RELATIVE_PATH = join("env", "platform.yaml");

/**
 * The environment spec to build from: an explicit path (Pulumi config `platform:specFile`, relative to the
 * repository root or absolute), else env/platform.yaml found by walking up from this file, which works the
 * same from src/ (tests) and dist/src/ (`pulumi up`).
 */
export function findSpecFile(explicit?: string, from = dirname(fileURLToPath(import.meta.url))): string {
  if (explicit) {
    const file = resolve(repositoryRoot(from) ?? process.cwd(), explicit);
    if (!existsSync(file)) throw new Error(`platform:specFile ${explicit}: no such file (looked at ${file})`);
    return file;
  }
  const root = repositoryRoot(from);
  if (!root) throw new Error(`cannot find ${SPEC_RELATIVE_PATH} in any folder above ${from}`);
  return join(root, SPEC_RELATIVE_PATH);
}

function repositoryRoot(from: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, SPEC_RELATIVE_PATH))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}
