import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";

// The workspaces as the compiler and npm see them: what each package.json declares, what its
// sources import, what its tsconfig references. Read from the files, nothing assumed.

export interface Workspace {
  /** Folder relative to the repository root: `infra/local`. */
  dir: string;
  /** Package name: `@platform/local-region`. */
  name: string;
  /** @platform/* packages in dependencies and devDependencies. */
  declared: string[];
  /** @platform/* packages the sources import, with the files that do. */
  imported: Map<string, string[]>;
  /** Workspace folders the tsconfig references (its own sub-projects left out). */
  references: string[];
  /** Dynamic imports of a computed name: modules the compiler can't follow (nor this graph). */
  computedImports: string[];
}

const SOURCE_FOLDERS = ["src", "test", "bench", "scenario", "reliability"];
const SOURCE_FILE = /\.(ts|tsx|mts|cts|js|mjs|cjs)$/;
const SKIPPED = new Set(["node_modules", "dist"]);
/** A @platform specifier after `from` or `import`, or as the argument of a dynamic import or require. */
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)(["'`])(@platform\/[^"'`]+)\1/g;
/** A dynamic import whose argument is anything but a plain string literal. */
const COMPUTED_IMPORT = /\bimport\(\s*(?!["'])[^)]*\)/g;

export function readWorkspaces(repoRoot: string): Workspace[] {
  const dirs = readJson<{ workspaces: string[] }>(join(repoRoot, "package.json")).workspaces;
  return dirs.map((dir) => readWorkspace(repoRoot, dir, dirs));
}

function readWorkspace(repoRoot: string, dir: string, workspaceDirs: string[]): Workspace {
  const pkg = readJson<{ name: string } & Partial<Record<"dependencies" | "devDependencies", object>>>(
    join(repoRoot, dir, "package.json"),
  );
  const declared = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies }).filter(isPlatform);
  const imported = new Map<string, string[]>();
  const computedImports: string[] = [];
  for (const file of sourceFiles(join(repoRoot, dir))) {
    const text = readFileSync(file, "utf8");
    const where = relative(repoRoot, file);
    for (const match of text.matchAll(SPECIFIER)) {
      const name = packageOf(match[2] as string);
      imported.set(name, [...(imported.get(name) ?? []), where]);
    }
    for (const match of text.matchAll(COMPUTED_IMPORT)) computedImports.push(`${where}: ${match[0]}`);
  }
  return {
    dir,
    name: pkg.name,
    declared,
    imported,
    references: references(repoRoot, dir, workspaceDirs),
    computedImports,
  };
}

function references(repoRoot: string, dir: string, workspaceDirs: string[]): string[] {
  const config = readJson<{ references?: { path: string }[] }>(join(repoRoot, dir, "tsconfig.json"));
  return (config.references ?? [])
    .map((ref) => relative(repoRoot, resolve(repoRoot, dir, ref.path)))
    .filter((path) => workspaceDirs.includes(path));
}

function sourceFiles(workspaceDir: string): string[] {
  return SOURCE_FOLDERS.map((folder) => join(workspaceDir, folder))
    .filter((folder) => existsSync(folder))
    .flatMap((folder) =>
      readdirSync(folder, { recursive: true, encoding: "utf8" })
        .filter((path) => SOURCE_FILE.test(path) && !path.split("/").some((part) => SKIPPED.has(part)))
        .map((path) => join(folder, path)),
    );
}

/** `@platform/pipelines/image/index` → `@platform/pipelines`. */
export function packageOf(specifier: string): string {
  return specifier.split("/").slice(0, 2).join("/");
}

const isPlatform = (name: string) => name.startsWith("@platform/");

function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, "utf8")) as T;
}

/** A cycle in `edges` (name → names it depends on) as a path that starts and ends at the same node, if any. */
export function findCycle(edges: Map<string, string[]>): string[] | undefined {
  const state = new Map<string, "visiting" | "done">();
  const visit = (node: string, path: string[]): string[] | undefined => {
    if (state.get(node) === "done") return undefined;
    if (state.get(node) === "visiting") return [...path.slice(path.indexOf(node)), node];
    state.set(node, "visiting");
    for (const next of edges.get(node) ?? []) {
      const cycle = visit(next, [...path, node]);
      if (cycle) return cycle;
    }
    state.set(node, "done");
    return undefined;
  };
  for (const node of edges.keys()) {
    const cycle = visit(node, []);
    if (cycle) return cycle;
  }
  return undefined;
}
