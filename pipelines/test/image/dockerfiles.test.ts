import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { type Instruction, parseDockerfile, type Stage } from "./dockerfile-parse.js";

// No Docker engine runs here: the Dockerfiles are checked for the properties a reviewer would
// check by hand, and against the image recipe in each app's package.json.

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const apps = ["api", "media-server"] as const;

function load(app: string) {
  const text = readFileSync(join(repoRoot, app, "Dockerfile"), "utf8");
  const recipe = JSON.parse(readFileSync(join(repoRoot, app, "package.json"), "utf8")).image;
  const stages = parseDockerfile(text);
  const runtime = stages.at(-1)!;
  return { text, recipe, stages, runtime };
}

const all = (stage: Stage, keyword: string): Instruction[] =>
  stage.instructions.filter((i) => i.keyword === keyword);
const one = (stage: Stage, keyword: string): string => {
  const found = all(stage, keyword);
  expect(found, `${keyword} in stage ${stage.name ?? stage.index}`).toHaveLength(1);
  return found[0]!.args;
};

describe.each(apps)("%s/Dockerfile", (app) => {
  const { text, recipe, stages, runtime } = load(app);

  it("is multi-stage: a build stage, and a runtime stage that copies only the staged app from it", () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(stages[0]!.name).toBe("build");
    const copies = all(runtime, "COPY");
    expect(copies.length).toBeGreaterThan(0);
    for (const copy of copies) expect(copy.args).toMatch(/^--from=build\b.*\/stage\/app\/? \/app\/?$/);
    expect(all(runtime, "RUN").some((r) => /\bnpm (ci|install)\b/.test(r.args))).toBe(false);
  });

  it("pins the base image to Node 24 LTS on Debian 12 (never latest)", () => {
    for (const stage of stages) {
      expect(stage.base).toMatch(/^node:24(\.\d+){0,2}-bookworm-slim(@sha256:[0-9a-f]{64})?$/);
    }
  });

  it("builds the same artifact as the local image: the image tool with --stage", () => {
    const run = all(stages[0]!, "RUN")
      .map((r) => r.args)
      .join("\n");
    expect(run).toMatch(/\bnpm ci\b/);
    expect(run).toContain(`node pipelines/dist/src/image/cli.js ${app} --no-push --stage /stage`);
    expect(run).toMatch(/--commit "\$\{GIT_COMMIT\}"/);
  });

  it("runs as a non-root user, declared before the entrypoint", () => {
    const users = all(runtime, "USER");
    expect(users).toHaveLength(1);
    expect(users[0]!.args).not.toMatch(/^(root|0)(:|$)/);
    const order = runtime.instructions.map((i) => i.keyword);
    expect(order.indexOf("USER")).toBeLessThan(order.indexOf("ENTRYPOINT"));
    for (const copy of all(runtime, "COPY")) expect(copy.args).toMatch(/--chown=node:node/);
  });

  it("starts like the local image, exposes the recipe's port and health-checks the recipe's path", () => {
    expect(JSON.parse(one(runtime, "ENTRYPOINT"))).toEqual(["node", "main.js"]);
    expect(one(runtime, "WORKDIR")).toBe("/app");
    expect(one(runtime, "EXPOSE")).toBe(String(recipe.containerPort));
    const health = one(runtime, "HEALTHCHECK");
    expect(health).toMatch(/--interval=\d+s --timeout=\d+s/);
    expect(health).toContain(`'${recipe.healthCheckPath}'`);
    expect(health).toContain(String(recipe.containerPort));
  });

  it("labels and records version, commit and build time from build args", () => {
    const args = all(runtime, "ARG").map((a) => a.args.split("=")[0]);
    expect(args).toEqual(expect.arrayContaining(["APP_VERSION", "GIT_COMMIT", "BUILD_TIME"]));
    const label = one(runtime, "LABEL");
    expect(label).toContain(`org.opencontainers.image.version="\${APP_VERSION}"`);
    expect(label).toContain(`org.opencontainers.image.revision="\${GIT_COMMIT}"`);
    expect(label).toContain(`org.opencontainers.image.created="\${BUILD_TIME}"`);
    const env = one(runtime, "ENV");
    for (const name of ["APP_VERSION", "GIT_COMMIT", "BUILD_TIME"])
      expect(env).toContain(`${name}=\${${name}}`);
  });

  it("holds no secret: no credential-like ARG/ENV, no key material", () => {
    for (const stage of stages) {
      for (const i of [...all(stage, "ARG"), ...all(stage, "ENV")]) {
        expect(i.args).not.toMatch(/(SECRET|PASSWORD|TOKEN|ACCESS_KEY|API_KEY|PRIVATE)/i);
      }
    }
    expect(text).not.toMatch(/AKIA[0-9A-Z]{16}/);
    expect(text).not.toMatch(/-----BEGIN [A-Z ]*PRIVATE KEY-----/);
    expect(text).not.toMatch(/\.local-region|credentials/);
  });
});

describe("runtime packages", () => {
  it("gives the API ffmpeg, and the media server GStreamer with the OpenCV filters, tesseract and ffmpeg", () => {
    const api = all(load("api").runtime, "RUN")
      .map((r) => r.args)
      .join(" ");
    expect(api).toMatch(/\bffmpeg\b/);
    const media = all(load("media-server").runtime, "RUN")
      .map((r) => r.args)
      .join(" ");
    for (const pkg of [
      "gstreamer1.0-tools",
      "gstreamer1.0-plugins-good",
      "gstreamer1.0-plugins-bad",
      "gstreamer1.0-opencv",
      "opencv-data",
      // PlateDetectorFilter's OCR; PlayerEndpoint plays files and RecorderEndpoint remuxes with ffmpeg.
      "tesseract-ocr",
      "ffmpeg",
    ]) {
      expect(media).toContain(pkg);
    }
  });
});

describe(".dockerignore", () => {
  const lines = readFileSync(join(repoRoot, ".dockerignore"), "utf8")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"));

  it("keeps git, dependencies, build output, local state and secrets out of the build context", () => {
    for (const pattern of [
      ".git",
      "**/node_modules",
      "**/dist",
      ".local-region",
      "**/.env",
      "**/.env.*",
      "Pulumi.*.yaml",
    ]) {
      expect(lines).toContain(pattern);
    }
  });
});

describe("parseDockerfile", () => {
  it("joins continuation lines, drops comments and splits stages", () => {
    const stages = parseDockerfile(
      "# c\nFROM node:20-bookworm-slim AS build\nRUN a \\\n  && b\n# x\nFROM node:20-bookworm-slim\nUSER node\n",
    );
    expect(stages.map((s) => s.name)).toEqual(["build", undefined]);
    expect(stages[0]!.instructions).toEqual([{ keyword: "RUN", args: "a && b", stage: 0 }]);
    expect(stages[1]!.instructions[0]).toMatchObject({ keyword: "USER", args: "node" });
  });
});
