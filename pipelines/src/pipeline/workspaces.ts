import { existsSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";

/**
 * The TypeScript projects an app's tsconfig references (`../env`, `./src/client`), relative to the
 * repository root: what must be compiled before esbuild bundles the app, which resolves workspace
 * imports through their dist/. The app itself is not type-checked here; that is the test stage's job.
 */
export function referencedProjects(repoRoot: string, app: string): string[] {
  const file = join(repoRoot, app, "tsconfig.json");
  // A JavaScript app without a tsconfig references nothing.
  if (!existsSync(file)) return [];
  let config: { references?: { path?: unknown }[] };
  try {
    config = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new Error(`cannot read ${file}: ${(error as Error).message}`);
  }
  return (config.references ?? [])
    .map((ref) => ref.path)
    .filter((path): path is string => typeof path === "string")
    .map((path) => relative(repoRoot, resolve(repoRoot, app, path)) || ".");
}
