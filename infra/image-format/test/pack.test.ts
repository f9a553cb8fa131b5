import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { extract } from "tar";
import { afterEach, describe, expect, it } from "vitest";
import {
  CONFIG_MEDIA_TYPE,
  type ImageConfig,
  LAYER_MEDIA_TYPE,
  MANIFEST_MEDIA_TYPE,
  packImage,
  parseManifest,
} from "../src/index.js";

const config: ImageConfig = {
  Entrypoint: ["node", "main.js"],
  Env: ["APP_VERSION=1.2.3", "GIT_COMMIT=abc1234"],
  WorkingDir: "/app",
  ExposedPorts: { "3000/tcp": {} },
  Labels: { "org.opencontainers.image.version": "1.2.3" },
};

const scratch: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "pack-test-"));
  scratch.push(dir);
  return dir;
}
afterEach(async () => {
  await Promise.all(scratch.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

const sha256 = (b: Uint8Array) => `sha256:${createHash("sha256").update(b).digest("hex")}`;

describe("packImage", () => {
  it("writes a Docker v2 schema 2 manifest whose digest is the sha256 of its bytes", async () => {
    const image = await packImage({ files: [{ path: "main.js", content: "console.log(1)" }], config });
    expect(image.manifestDigest).toBe(sha256(image.manifestBytes));
    const manifest = JSON.parse(image.manifestBytes.toString("utf8"));
    expect(manifest.schemaVersion).toBe(2);
    expect(manifest.mediaType).toBe(MANIFEST_MEDIA_TYPE);
    expect(manifest.config).toEqual({
      mediaType: CONFIG_MEDIA_TYPE,
      size: image.config.size,
      digest: image.config.digest,
    });
    expect(manifest.layers).toEqual([
      { mediaType: LAYER_MEDIA_TYPE, size: image.layers[0]!.size, digest: image.layers[0]!.digest },
    ]);
    expect(parseManifest(image.manifestBytes.toString("utf8"))).toEqual(image.manifest);
  });

  it("writes a config blob with the image config and the uncompressed tar's digest as diff_id", async () => {
    const image = await packImage({
      files: [{ path: "main.js", content: "x" }],
      config,
      created: "2026-01-02T03:04:05.000Z",
    });
    const layer = image.layers[0]!;
    expect(image.config.digest).toBe(sha256(image.config.bytes));
    expect(layer.digest).toBe(sha256(layer.bytes));
    const blob = JSON.parse(image.config.bytes.toString("utf8"));
    expect(blob).toEqual({
      architecture: "amd64",
      os: "linux",
      created: "2026-01-02T03:04:05.000Z",
      config,
      rootfs: { type: "layers", diff_ids: [sha256(gunzipSync(layer.bytes))] },
    });
  });

  it("packs a folder whose layer unpacks to the same files and modes", async () => {
    const root = await tempDir();
    await mkdir(join(root, "public", "css"), { recursive: true });
    await writeFile(join(root, "main.js"), "import './x.js';\n");
    await writeFile(join(root, "public", "index.html"), "<h1>hi</h1>");
    await writeFile(join(root, "public", "css", "site.css"), "body{}");
    await writeFile(join(root, "run.sh"), "#!/bin/sh\n", { mode: 0o755 });
    const image = await packImage({ rootDir: root, config });

    const out = await tempDir();
    const tarball = join(out, "layer.tar.gz");
    await writeFile(tarball, image.layers[0]!.bytes);
    const unpacked = join(out, "root");
    await mkdir(unpacked);
    await extract({ file: tarball, cwd: unpacked });
    for (const file of ["main.js", "public/index.html", "public/css/site.css", "run.sh"]) {
      expect(await readFile(join(unpacked, file), "utf8")).toBe(await readFile(join(root, file), "utf8"));
    }
    expect((await stat(join(unpacked, "run.sh"))).mode & 0o777).toBe(0o755);
    expect((await stat(join(unpacked, "main.js"))).mode & 0o777).toBe(0o644);
  });

  it("gives the same digest for the same content, whatever the mtimes and the order files are given in", async () => {
    const a = await tempDir();
    const b = await tempDir();
    await writeFile(join(a, "b.js"), "B");
    await writeFile(join(a, "a.js"), "A");
    await new Promise((r) => setTimeout(r, 20));
    await writeFile(join(b, "a.js"), "A");
    await writeFile(join(b, "b.js"), "B");
    const first = await packImage({ rootDir: a, config });
    const second = await packImage({ rootDir: b, config });
    expect(second.manifestDigest).toBe(first.manifestDigest);
    const fromFiles = await packImage({
      files: [
        { path: "b.js", content: "B" },
        { path: "a.js", content: "A" },
      ],
      config,
    });
    expect(fromFiles.manifestDigest).toBe(first.manifestDigest);
  });

  it("gives another digest when one byte of content or the config changes", async () => {
    const base = await packImage({ files: [{ path: "main.js", content: "v1" }], config });
    const content = await packImage({ files: [{ path: "main.js", content: "v2" }], config });
    const env = await packImage({
      files: [{ path: "main.js", content: "v1" }],
      config: { ...config, Env: ["APP_VERSION=1.2.4"] },
    });
    expect(new Set([base.manifestDigest, content.manifestDigest, env.manifestDigest]).size).toBe(3);
    expect(env.layers[0]!.digest).toBe(base.layers[0]!.digest);
  });

  it("refuses file paths that leave the image and malformed config", async () => {
    await expect(packImage({ files: [{ path: "../etc/passwd", content: "x" }], config })).rejects.toThrow(
      /must be relative and stay inside the image/,
    );
    await expect(packImage({ files: [{ path: "/abs", content: "x" }], config })).rejects.toThrow(
      /must be relative/,
    );
    await expect(
      packImage({ files: [{ path: "a", content: "x" }], config: { Env: ["NOEQUALS"] } }),
    ).rejects.toThrow(/Env entry "NOEQUALS" is not NAME=value/);
    await expect(
      packImage({ files: [{ path: "a", content: "x" }], config: { ExposedPorts: { "70000/tcp": {} } } }),
    ).rejects.toThrow(/ExposedPorts key "70000\/tcp"/);
  });
});

describe("parseManifest", () => {
  it("names what is wrong in a bad manifest", () => {
    expect(() => parseManifest("{")).toThrow("not valid JSON");
    expect(() => parseManifest(JSON.stringify({ schemaVersion: 1 }))).toThrow("schemaVersion must be 2");
    expect(() =>
      parseManifest(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: MANIFEST_MEDIA_TYPE,
          config: { mediaType: CONFIG_MEDIA_TYPE, size: 1, digest: "sha256:zz" },
          layers: [],
        }),
      ),
    ).toThrow("config.digest must be sha256:<64 hex digits>");
  });
});
