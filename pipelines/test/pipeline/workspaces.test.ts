import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { referencedProjects } from "../../src/pipeline/workspaces.js";

const repoRoot = join(import.meta.dirname, "..", "..", "..");

describe("referencedProjects", () => {
  it("lists the projects an app's tsconfig references, relative to the repository root", () => {
    expect(referencedProjects(repoRoot, "media-server")).toContain("media-server/src/client");
    expect(referencedProjects(repoRoot, "pipelines")).toEqual([
      "console",
      "env",
      "infra/alarm-notifier",
      "infra/image-format",
      "infra/local",
    ]);
  });

  it("finds nothing for an app without a tsconfig, and says which tsconfig it could not parse", async () => {
    expect(referencedProjects(repoRoot, "no-such-app")).toEqual([]);
    const root = await mkdtemp(join(tmpdir(), "workspaces-"));
    try {
      await mkdir(join(root, "app"));
      await writeFile(join(root, "app", "tsconfig.json"), '{ "references": [');
      expect(() => referencedProjects(root, "app")).toThrow(/cannot read .*app\/tsconfig\.json/);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
