import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadSpec, type PlatformSpec } from "@platform/env";

/** The checkout a command runs from, and the environment spec it deploys. */
export interface Checkout {
  repoRoot: string;
  spec: PlatformSpec;
}

/** This checkout and its spec: loadSpec's own default is relative to env/src, which is env/dist/src once compiled. */
export function loadCheckout(): Checkout {
  const repoRoot = findRepoRoot(dirname(fileURLToPath(import.meta.url)));
  return { repoRoot, spec: loadSpec(specFile(repoRoot)) };
}

/** The monorepo root: the nearest folder upwards whose package.json declares workspaces. */
export function findRepoRoot(from: string): string {
  let dir = from;
  for (;;) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg) && Array.isArray(JSON.parse(readFileSync(pkg, "utf8")).workspaces)) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no repository root (package.json with workspaces) above ${from}`);
    dir = parent;
  }
}

/** The environment spec: PLATFORM_SPEC when set (as `npm start` reads it), else env/platform.yaml. */
export function specFile(repoRoot: string, env: NodeJS.ProcessEnv = process.env): string {
  return env.PLATFORM_SPEC ?? join(repoRoot, "env", "platform.yaml");
}
