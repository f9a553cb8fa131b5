import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { ImageError } from "./errors.js";

/** The `image` field of an app's package.json: how to turn the app into an image. */
export interface ImageRecipe {
  /** TypeScript/JavaScript entry, relative to the app folder; bundled into main.js. */
  entry: string;
  /** Folders copied as they are, relative to the app folder (e.g. `public`). */
  assets: string[];
  /** Packages that can't be bundled (native addons), copied with their runtime dependencies. */
  native: string[];
  containerPort: number;
  healthCheckPath: string;
}

export interface AppManifest {
  name: string;
  version: string;
  recipe: ImageRecipe;
  /** True when the app has a `build:assets` script to run before packing. */
  hasBuildAssets: boolean;
}

/** Reads and validates `<appDir>/package.json`; every mistake names the field and what was expected. */
export async function readAppManifest(appDir: string): Promise<AppManifest> {
  const file = join(appDir, "package.json");
  let pkg: Record<string, unknown>;
  try {
    pkg = JSON.parse(await readFile(file, "utf8"));
  } catch (error) {
    throw new ImageError(`cannot read ${file}: ${(error as Error).message}`);
  }
  const image = pkg.image as Record<string, unknown> | undefined;
  if (!image || typeof image !== "object")
    throw new ImageError(`${file} has no "image" field: nothing says how to build it`);
  const field = (name: string) => `${file}: image.${name}`;
  const recipe: ImageRecipe = {
    entry: relativePath(image.entry, field("entry")),
    assets: stringList(image.assets ?? [], field("assets")).map((a) => relativePath(a, field("assets"))),
    native: stringList(image.native ?? [], field("native")),
    containerPort: port(image.containerPort, field("containerPort")),
    healthCheckPath: healthPath(image.healthCheckPath, field("healthCheckPath")),
  };
  const scripts = (pkg.scripts ?? {}) as Record<string, unknown>;
  return {
    name: typeof pkg.name === "string" ? pkg.name : appDir,
    version: typeof pkg.version === "string" ? pkg.version : "0.0.0",
    recipe,
    hasBuildAssets: typeof scripts["build:assets"] === "string",
  };
}

function relativePath(value: unknown, where: string): string {
  if (
    typeof value !== "string" ||
    value === "" ||
    value.startsWith("/") ||
    value.split(/[\\/]/).includes("..")
  ) {
    throw new ImageError(`${where} must be a path inside the app folder, got ${JSON.stringify(value)}`);
  }
  return value;
}

function stringList(value: unknown, where: string): string[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === "string" && v !== "")) {
    throw new ImageError(`${where} must be a list of names, got ${JSON.stringify(value)}`);
  }
  return value;
}

function port(value: unknown, where: string): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > 65535) {
    throw new ImageError(`${where} must be a port number 1-65535, got ${JSON.stringify(value)}`);
  }
  return value;
}

function healthPath(value: unknown, where: string): string {
  if (typeof value !== "string" || !value.startsWith("/")) {
    throw new ImageError(`${where} must be a path starting with /, got ${JSON.stringify(value)}`);
  }
  return value;
}
