import { cp, mkdir, readdir, readFile, stat } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { ImageError } from "./errors.js";

/** Dependencies native packages declare for their install step only; nothing requires them at run time. */
export const INSTALL_TIME_ONLY = new Set([
  "prebuild-install",
  "node-gyp",
  "node-addon-api",
  "nan",
  "prebuild",
]);

const RUNTIME_EXTENSIONS = /\.(?:js|cjs|mjs|json|node)$/;
const SKIPPED_DIRS = new Set([
  "test",
  "tests",
  "__tests__",
  "docs",
  "doc",
  "example",
  "examples",
  "benchmark",
  "benchmarks",
  ".github",
]);
const LICENSE_FILE = /^(?:license|licence|copying|notice)(?:\.\w+)?$/i;

export interface NativePackage {
  name: string;
  version: string;
  /** Where it is installed (a node_modules folder of the repository). */
  dir: string;
}

/**
 * The packages `names` need at run time: each one and its `dependencies` (and installed
 * `optionalDependencies`), resolved as Node does, from the requiring package's folder upwards.
 */
export async function runtimeClosure(names: string[], fromDir: string): Promise<NativePackage[]> {
  const found = new Map<string, NativePackage>();
  const visit = async (name: string, from: string, requiredBy: string): Promise<void> => {
    if (INSTALL_TIME_ONLY.has(name)) return;
    const dir = await resolvePackageDir(name, from);
    if (!dir) {
      throw new ImageError(`${requiredBy} needs package "${name}", which is not installed (run npm install)`);
    }
    const pkg = JSON.parse(await readFile(join(dir, "package.json"), "utf8"));
    const existing = found.get(name);
    if (existing) {
      if (existing.version !== pkg.version) {
        throw new ImageError(
          `two versions of ${name} are needed (${existing.version}, ${pkg.version}); the image holds one`,
        );
      }
      return;
    }
    found.set(name, { name, version: pkg.version, dir });
    for (const dep of Object.keys(pkg.dependencies ?? {})) await visit(dep, dir, name);
    for (const dep of Object.keys(pkg.optionalDependencies ?? {})) {
      if (await resolvePackageDir(dep, dir)) await visit(dep, dir, name);
    }
  };
  for (const name of names) await visit(name, fromDir, "the image recipe");
  return [...found.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
}

async function resolvePackageDir(name: string, from: string): Promise<string | undefined> {
  let dir = from;
  for (;;) {
    const candidate = join(dir, "node_modules", name);
    if (await isFile(join(candidate, "package.json"))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * Copies the run-time files of each package into `<outDir>/node_modules/<name>`: JavaScript, JSON,
 * licences, and the addon for the image's platform (build/Release, or the package's own prebuilds/);
 * not C sources, build intermediates, tests or other platforms' binaries.
 */
export async function copyRuntimeFiles(packages: NativePackage[], outDir: string): Promise<number> {
  let bytes = 0;
  for (const pkg of packages) {
    const target = join(outDir, "node_modules", pkg.name);
    for (const file of await runtimeFiles(pkg.dir)) {
      await mkdir(dirname(join(target, file)), { recursive: true });
      await cp(join(pkg.dir, file), join(target, file), { dereference: true });
      bytes += (await stat(join(pkg.dir, file))).size;
    }
  }
  return bytes;
}

/** What the images run on: ECS on EC2 x86_64 with a Debian (glibc) base image. */
export const IMAGE_PLATFORM = "linux-x64";

/** The files of an installed package that a `require` of it can touch, relative to its folder. */
export async function runtimeFiles(packageDir: string): Promise<string[]> {
  const out: string[] = [];
  // A native package's deps/ holds the vendored C library and its install helpers.
  const isAddon = await isFile(join(packageDir, "binding.gyp"));
  // Packages that ship N-API binaries for every platform (better-sqlite3 13) load
  // prebuilds/<platform>.node; a build/ beside them is a stale local compile, never loaded.
  const hasPrebuilds = await isFile(join(packageDir, "prebuilds", `${IMAGE_PLATFORM}.node`));
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const entry of entries) {
      const path = join(dir, entry.name);
      const rel = relative(packageDir, path);
      if (entry.isDirectory()) {
        if (entry.name === "node_modules" || SKIPPED_DIRS.has(entry.name)) continue;
        if (isAddon && rel === "deps") continue;
        if (rel === "prebuilds") {
          out.push(join("prebuilds", `${IMAGE_PLATFORM}.node`));
          continue;
        }
        if (rel === "build") {
          if (!hasPrebuilds) out.push(...(await addons(packageDir)));
          continue;
        }
        await walk(path);
      } else if (
        RUNTIME_EXTENSIONS.test(entry.name) ||
        (dir === packageDir && LICENSE_FILE.test(entry.name))
      ) {
        out.push(rel);
      }
    }
  };
  await walk(packageDir);
  return out;
}

async function addons(packageDir: string): Promise<string[]> {
  const release = join(packageDir, "build", "Release");
  try {
    const names = await readdir(release);
    // build/Release also holds the test fixtures some addons compile (better-sqlite3's test_extension).
    return names
      .filter((n) => n.endsWith(".node") && !n.startsWith("test"))
      .sort()
      .map((n) => join("build", "Release", n));
  } catch {
    return [];
  }
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
