import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateRepositoryCommand, DescribeImagesCommand, ECRClient } from "@aws-sdk/client-ecr";
import { startTestRegion, type TestRegion } from "@platform/local-region/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureAppImage, imageTag, sourceHash } from "../../src/local/app-images.js";

// npm start's images: the tag follows the sources, and an app that can't be built yet is replaced
// by a placeholder pushed through the real ECR API, so the platform still comes up.

let region: TestRegion;
let ecr: ECRClient;
const root = mkdtempSync(join(tmpdir(), "start-images-"));

beforeAll(async () => {
  region = await startTestRegion();
  ecr = region.client(ECRClient);
  for (const name of ["api-qa", "api-prod"])
    await ecr.send(new CreateRepositoryCommand({ repositoryName: name }));
}, 30_000);

afterAll(async () => {
  await region?.cleanup();
  rmSync(root, { recursive: true, force: true });
}, 30_000);

describe("npm start images", () => {
  it("tags by a hash of the app's sources outside git, and the hash follows the content", () => {
    mkdirSync(join(root, "api", "src"), { recursive: true });
    writeFileSync(join(root, "api", "src", "main.ts"), "console.log(1);\n");
    const first = sourceHash(root, "api");
    expect(imageTag(root, "api")).toBe(`dev-src${first}`);
    writeFileSync(join(root, "api", "src", "main.ts"), "console.log(2);\n");
    expect(sourceHash(root, "api")).not.toBe(first);
    mkdirSync(join(root, "api", "node_modules"), { recursive: true });
    const withoutDeps = sourceHash(root, "api");
    writeFileSync(join(root, "api", "node_modules", "x.js"), "ignored");
    expect(sourceHash(root, "api")).toBe(withoutDeps);
  });

  it("pushes a placeholder to every repository when the app does not build", {
    timeout: 30_000,
  }, async () => {
    const lines: string[] = [];
    const image = await ensureAppImage(ecr, root, "api", ["api-qa", "api-prod"], (l) => lines.push(l));
    expect(image.built).toBe(true);
    expect(image.placeholderBecause).toMatch(/package\.json/);
    expect(image.tag).toMatch(/^placeholder-[0-9a-f]{12}$/);
    for (const repo of ["api-qa", "api-prod"]) {
      expect(image.uris[repo]).toMatch(new RegExp(`/${repo}:${image.tag}$`));
      const described = await ecr.send(
        new DescribeImagesCommand({ repositoryName: repo, imageIds: [{ imageTag: image.tag }] }),
      );
      expect(described.imageDetails?.[0]?.imageDigest).toMatch(/^sha256:/);
    }
    expect(lines.some((l) => l.includes("deploying a placeholder image"))).toBe(true);
  });
});
