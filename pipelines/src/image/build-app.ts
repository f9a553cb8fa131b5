import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { cp, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ImageConfig, type PackedImage, packImage } from "@platform/image-format";
import { bundleEntry } from "./bundle.js";
import { ImageError } from "./errors.js";
import { defaultTag, type SourceRevision, sourceRevision } from "./git.js";
import { copyRuntimeFiles, runtimeClosure } from "./native.js";
import { type AppManifest, readAppManifest } from "./recipe.js";

/** Where the app lives inside the image: the layer is a root filesystem diff, the app is under /app. */
export const APP_DIR_IN_IMAGE = "app";

export interface BuildAppOptions {
  /** The monorepo root (where `<app>/package.json` is). */
  repoRoot: string;
  /** The app folder name: `api`, `media-server`. */
  app: string;
  /** Defaults to now, or SOURCE_DATE_EPOCH when set (reproducible builds). */
  buildTime?: Date;
  /** Overrides what git says (a Docker build has no .git; CI passes it in). */
  revision?: SourceRevision;
  /** Keep the staged root filesystem here instead of a temporary folder. */
  stageDir?: string;
  onProgress?: (line: string) => void;
}

export interface BuiltAppImage {
  app: string;
  version: string;
  revision: SourceRevision;
  buildTime: string;
  /** The default tag: short commit, with a content suffix when the tree is dirty. */
  tag: string;
  image: PackedImage;
  manifest: AppManifest;
}

/**
 * Builds an app image from the working tree: optional `build:assets`, esbuild bundle, assets, native
 * modules with their runtime dependencies, a package.json, then one reproducible layer.
 */
export async function buildAppImage(options: BuildAppOptions): Promise<BuiltAppImage> {
  const say = options.onProgress ?? (() => {});
  const appDir = join(options.repoRoot, options.app);
  const manifest = await readAppManifest(appDir);
  const revision = options.revision ?? sourceRevision(options.repoRoot);
  const buildTime = (options.buildTime ?? buildTimeFromEnv()).toISOString();
  say(`${options.app} ${manifest.version} at ${revision.commit}`);
  const stageRoot = options.stageDir ?? (await mkdtemp(join(tmpdir(), `image-${options.app}-`)));
  try {
    await stageApp({ ...options, appDir, manifest, stageRoot, say });
    const config = imageConfig(options.app, manifest, revision, buildTime);
    const started = Date.now();
    const image = await packImage({ rootDir: stageRoot, config, created: buildTime });
    const layer = image.layers[0]!;
    say(`packed ${image.manifestDigest} (layer ${formatBytes(layer.size)} gzipped) in ${elapsed(started)}`);
    return {
      app: options.app,
      version: manifest.version,
      revision,
      buildTime,
      tag: defaultTag(revision, layer.digest),
      image,
      manifest,
    };
  } finally {
    if (!options.stageDir) await rm(stageRoot, { recursive: true, force: true });
  }
}

interface StageInput extends BuildAppOptions {
  appDir: string;
  manifest: AppManifest;
  stageRoot: string;
  say: (line: string) => void;
}

/** Writes the image's root filesystem: /app/main.js, assets, node_modules of native packages, package.json. */
export async function stageApp(input: StageInput): Promise<void> {
  const { appDir, manifest, say } = input;
  const out = join(input.stageRoot, APP_DIR_IN_IMAGE);
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  if (manifest.hasBuildAssets) {
    // Run from the app's folder: the same as `npm run build:assets -w <app>` for a workspace.
    say(`npm run build:assets (${input.app})`);
    await run("npm", ["run", "--silent", "build:assets"], appDir);
  }
  const natives = await runtimeClosure(manifest.recipe.native, appDir);
  let started = Date.now();
  const bundle = await bundleEntry(
    appDir,
    manifest.recipe.entry,
    out,
    natives.map((p) => p.name),
  );
  say(
    `bundled ${manifest.recipe.entry} → main.js (${formatBytes(bundle.size)} from ${bundle.inputs} files) in ${elapsed(started)}`,
  );
  for (const warning of bundle.warnings.slice(0, 5)) say(`  esbuild warning: ${warning}`);
  for (const asset of manifest.recipe.assets) {
    const from = join(appDir, asset);
    if (!existsSync(from))
      throw new ImageError(
        `${input.app}: asset folder "${asset}" does not exist (image.assets in package.json)`,
      );
    await cp(from, join(out, asset), { recursive: true, dereference: true });
    say(`copied ${asset}/`);
  }
  if (natives.length > 0) {
    started = Date.now();
    const bytes = await copyRuntimeFiles(natives, out);
    say(
      `native ${natives.map((p) => `${p.name}@${p.version}`).join(", ")} (${formatBytes(bytes)}) in ${elapsed(started)}`,
    );
  }
  const pkg = { name: manifest.name, version: manifest.version, private: true, type: "module" };
  await writeFile(join(out, "package.json"), `${JSON.stringify(pkg, null, 2)}\n`);
}

/** The image config: how the task runner (or Docker) starts the app, and what it records. */
export function imageConfig(
  app: string,
  manifest: AppManifest,
  revision: SourceRevision,
  buildTime: string,
): ImageConfig {
  return {
    Entrypoint: ["node", "main.js"],
    Env: [
      "NODE_ENV=production",
      "NODE_OPTIONS=--enable-source-maps",
      `APP_VERSION=${manifest.version}`,
      `BUILD_TIME=${buildTime}`,
      `GIT_COMMIT=${revision.commit}`,
    ],
    WorkingDir: `/${APP_DIR_IN_IMAGE}`,
    ExposedPorts: { [`${manifest.recipe.containerPort}/tcp`]: {} },
    Labels: {
      "org.opencontainers.image.title": app,
      "org.opencontainers.image.version": manifest.version,
      "org.opencontainers.image.created": buildTime,
      "org.opencontainers.image.revision": revision.commit,
      "platform.health-check-path": manifest.recipe.healthCheckPath,
    },
  };
}

function buildTimeFromEnv(): Date {
  const epoch = process.env.SOURCE_DATE_EPOCH;
  if (epoch && /^\d+$/.test(epoch)) return new Date(Number(epoch) * 1000);
  return new Date();
}

function run(command: string, args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-4000);
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    child.on("error", (error) => reject(new ImageError(`${command} ${args.join(" ")}: ${error.message}`)));
    child.on("close", (code) =>
      code === 0
        ? resolve()
        : reject(new ImageError(`${command} ${args.join(" ")} exited with ${code}:\n${output.trim()}`)),
    );
  });
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

function elapsed(started: number): string {
  return `${((Date.now() - started) / 1000).toFixed(1)}s`;
}
