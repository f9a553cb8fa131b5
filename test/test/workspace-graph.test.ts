import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../src/region-process.js";
import { findCycle, readWorkspaces } from "../src/workspace-graph.js";

// The workspaces form a tree the compiler checks: every @platform import is declared, the declared
// graph has no cycle, tsconfig references follow it, and the local region stands on the image
// format alone (it runs any image from its registry and knows nothing of our apps or their spec).

const workspaces = readWorkspaces(REPO_ROOT);
const byName = new Map(workspaces.map((w) => [w.name, w]));
const dirOf = (name: string) => byName.get(name)?.dir ?? `(no workspace ${name})`;

describe("the workspace graph", () => {
  it("declares, in package.json, every @platform package a workspace's sources import", () => {
    const undeclared = workspaces.flatMap((w) =>
      [...w.imported]
        .filter(([name]) => name !== w.name && !w.declared.includes(name))
        .map(([name, files]) => `${w.dir} imports ${name} (${files[0]}) without declaring it`),
    );
    expect(undeclared).toEqual([]);
  });

  it("declares no @platform package the sources don't import, nor one that isn't a workspace", () => {
    const unused = workspaces.flatMap((w) =>
      w.declared.filter((name) => !w.imported.has(name)).map((name) => `${w.dir}: ${name} is never imported`),
    );
    const unknown = workspaces.flatMap((w) =>
      w.declared.filter((name) => !byName.has(name)).map((name) => `${w.dir}: ${name}`),
    );
    expect([...unused, ...unknown]).toEqual([]);
  });

  it("loads no module by a computed name, which neither the compiler nor this graph could follow", () => {
    expect(workspaces.flatMap((w) => w.computedImports)).toEqual([]);
  });

  it("has no cycle", () => {
    const edges = new Map(workspaces.map((w) => [w.name, w.declared]));
    expect(findCycle(edges)).toBeUndefined();
  });

  it("references in each tsconfig exactly the workspaces its package.json depends on", () => {
    for (const w of workspaces) {
      expect([...w.references].sort(), `${w.dir}/tsconfig.json references`).toEqual(
        w.declared.map(dirOf).sort(),
      );
    }
  });

  it("keeps the local region on the image format alone", () => {
    const region = byName.get("@platform/local-region");
    expect(region?.declared).toEqual(["@platform/image-format"]);
    for (const name of ["@platform/env", "@platform/pipelines", "@platform/api", "@platform/media-server"]) {
      expect(region?.imported.has(name), name).toBe(false);
    }
  });

  it("keeps the alarm notifier on the spec alone when it runs (in Lambda too); the local region is for its tests", () => {
    const notifier = byName.get("@platform/alarm-notifier");
    const pkg = JSON.parse(
      readFileSync(join(REPO_ROOT, dirOf("@platform/alarm-notifier"), "package.json"), "utf8"),
    ) as {
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    expect(Object.keys(pkg.dependencies).filter((d) => d.startsWith("@platform/"))).toEqual([
      "@platform/env",
    ]);
    expect(Object.keys(pkg.devDependencies)).toContain("@platform/local-region");
    const srcFiles = notifier?.imported.get("@platform/local-region") ?? [];
    expect(srcFiles.filter((file) => !file.includes("/test/"))).toEqual([]);
  });

  it("lists every workspace in the root tsconfig and vitest config", () => {
    const dirs = workspaces.map((w) => w.dir).sort();
    const tsconfig = JSON.parse(readFileSync(join(REPO_ROOT, "tsconfig.json"), "utf8")) as {
      references: { path: string }[];
    };
    expect(tsconfig.references.map((r) => r.path).sort()).toEqual(dirs);
    const vitest = readFileSync(join(REPO_ROOT, "vitest.config.ts"), "utf8");
    for (const dir of dirs) expect(vitest, `vitest.config.ts lists ${dir}`).toContain(`"${dir}"`);
  });
});

describe("findCycle", () => {
  it("finds a cycle and says where it goes, and none in a tree", () => {
    const cyclic = new Map([
      ["a", ["b"]],
      ["b", ["c"]],
      ["c", ["a"]],
    ]);
    expect(findCycle(cyclic)).toEqual(["a", "b", "c", "a"]);
    const tree = new Map([
      ["a", ["b", "c"]],
      ["b", ["c"]],
      ["c", []],
    ]);
    expect(findCycle(tree)).toBeUndefined();
  });
});
