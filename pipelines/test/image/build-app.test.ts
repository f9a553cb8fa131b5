import { type ChildProcess, spawn } from "node:child_process";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { extract } from "tar";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BuiltAppImage, buildAppImage, ImageError, runtimeFiles } from "../../src/image/index.js";
import { cleanRevision, fixtureRepo } from "./fixture.js";

// Builds the fixture app for real (esbuild, better-sqlite3 from the repository's node_modules),
// unpacks the layer it made and runs it the way the task runner will: `node main.js` in /app.

const revision = cleanRevision;
const buildTime = new Date("2026-11-22T08:00:00.000Z");

let root: string;
let built: BuiltAppImage;
const children: ChildProcess[] = [];

beforeAll(async () => {
  root = await fixtureRepo();
  built = await buildAppImage({ repoRoot: root, app: "fixture-app", revision, buildTime });
}, 60_000);

afterAll(async () => {
  for (const child of children) if (child.pid && child.exitCode === null) process.kill(child.pid, "SIGKILL");
  await rm(root, { recursive: true, force: true });
});

async function unpack(image: BuiltAppImage): Promise<string> {
  const dir = join(root, `rootfs-${Date.now()}`);
  await mkdir(dir);
  const tarball = join(dir, "..", "layer.tar.gz");
  await writeFile(tarball, image.image.layers[0]!.bytes);
  await extract({ file: tarball, cwd: dir });
  return dir;
}

function start(cwd: string, env: string[]): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn("node", ["main.js"], {
    cwd,
    env: {
      PATH: process.env.PATH,
      PORT: "0",
      ...Object.fromEntries(env.map((e) => e.split(/=(.*)/s).slice(0, 2))),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let err = "";
    child.stderr!.on("data", (d) => {
      err += d;
    });
    child.stdout!.on("data", (d) => {
      const match = /listening (\d+)/.exec(String(d));
      if (match) resolve({ child, port: Number(match[1]) });
    });
    child.on("exit", (code) => reject(new Error(`app exited with ${code}: ${err}`)));
  });
}

describe("buildAppImage", () => {
  it("records version, build time and commit in Env and Labels, and starts node main.js in /app", () => {
    const config = built.image.config.value;
    expect(config.Entrypoint).toEqual(["node", "main.js"]);
    expect(config.WorkingDir).toBe("/app");
    expect(config.ExposedPorts).toEqual({ "3000/tcp": {} });
    expect(config.Env).toEqual(
      expect.arrayContaining([
        "APP_VERSION=3.2.1",
        "BUILD_TIME=2026-11-22T08:00:00.000Z",
        `GIT_COMMIT=${revision.commit}`,
      ]),
    );
    expect(config.Labels).toMatchObject({
      "org.opencontainers.image.version": "3.2.1",
      "org.opencontainers.image.created": "2026-11-22T08:00:00.000Z",
      "org.opencontainers.image.revision": revision.commit,
    });
    expect(built.tag).toBe("0123456789ab");
  });

  it("makes a layer that runs: bundle, assets, build:assets output and the native module", async () => {
    const rootfs = await unpack(built);
    const { child, port } = await start(join(rootfs, "app"), built.image.config.value.Env ?? []);
    const version = (await (await fetch(`http://127.0.0.1:${port}/version`)).json()) as Record<
      string,
      string
    >;
    expect(version).toMatchObject({
      version: "3.2.1",
      commit: revision.commit,
      buildTime: "2026-11-22T08:00:00.000Z",
      generated: "made by build:assets",
    });
    expect(version.sqlite).toMatch(/^3\.\d+\.\d+$/);
    expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toContain("fixture app");
    const exited = new Promise((r) => child.on("exit", r));
    process.kill(child.pid!, "SIGTERM");
    await exited;
  });

  it("ships only run-time files of the native module: no C sources, no build intermediates", async () => {
    const rootfs = await unpack(built);
    const files = await runtimeFiles(join(rootfs, "app", "node_modules", "better-sqlite3"));
    // better-sqlite3 13 ships an N-API binary per platform: the image carries its own platform's only.
    expect(files.filter((f) => f.endsWith(".node"))).toEqual(["prebuilds/linux-x64.node"]);
    expect(files).toContain("lib/index.js");
    expect(files.filter((f) => /\.(c|cpp|h|hpp|gyp|a|o)$/.test(f))).toEqual([]);
    const pkg = JSON.parse(await readFile(join(rootfs, "app", "package.json"), "utf8"));
    expect(pkg).toMatchObject({ type: "module", version: "3.2.1" });
    const map = JSON.parse(await readFile(join(rootfs, "app", "main.js.map"), "utf8"));
    expect(map.sources).toContain("src/main.ts");
  });

  it("builds the same digest from the same source, revision and build time", async () => {
    const again = await buildAppImage({ repoRoot: root, app: "fixture-app", revision, buildTime });
    expect(again.image.manifestDigest).toBe(built.image.manifestDigest);
  }, 60_000);

  it("tags a dirty tree with a content suffix", async () => {
    const dirty = await buildAppImage({
      repoRoot: root,
      app: "fixture-app",
      revision: { ...revision, commit: `${revision.commit}-dirty`, dirty: true },
      buildTime,
    });
    expect(dirty.tag).toBe(`0123456789ab-dirty-${dirty.image.layers[0]!.digest.slice(7, 19)}`);
    expect(dirty.image.config.value.Env).toContain(`GIT_COMMIT=${revision.commit}-dirty`);
  }, 60_000);

  it("says what is wrong with a bad recipe or a failing entry", async () => {
    const bad = join(root, "bad-app");
    await mkdir(join(bad, "src"), { recursive: true });
    const recipe = {
      entry: "src/main.ts",
      assets: [],
      native: [],
      containerPort: 70000,
      healthCheckPath: "/h",
    };
    await writeFile(join(bad, "package.json"), JSON.stringify({ name: "bad", image: recipe }));
    await expect(buildAppImage({ repoRoot: root, app: "bad-app", revision })).rejects.toThrow(
      /image\.containerPort must be a port number 1-65535, got 70000/,
    );
    await writeFile(
      join(bad, "package.json"),
      JSON.stringify({ name: "bad", image: { ...recipe, containerPort: 80 } }),
    );
    await writeFile(join(bad, "src", "main.ts"), 'import "./missing.js";\n');
    const failure = buildAppImage({ repoRoot: root, app: "bad-app", revision });
    await expect(failure).rejects.toBeInstanceOf(ImageError);
    await expect(failure).rejects.toThrow(
      /bundling src\/main\.ts failed: .*main\.ts:1: Could not resolve "\.\/missing\.js"/,
    );
  });
});
