import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, test } from "vitest";
import { parse } from "yaml";
import { findSpecFile } from "../src/spec-file.js";
import { repositorySpec } from "./support/spec.js";

// The Pulumi project and stack files at the repository root, read as the Pulumi CLI would.

const root = dirname(dirname(findSpecFile()));
const read = (file: string) => parse(readFileSync(join(root, file), "utf8")) as Record<string, unknown>;
const spec = repositorySpec();

describe("Pulumi project files", () => {
  test("Pulumi.yaml runs the compiled program of infra/aws as the project platform", () => {
    const project = read("Pulumi.yaml");
    expect(project).toMatchObject({
      name: "platform",
      main: "infra/aws",
      runtime: { name: "nodejs", options: { typescript: false } },
    });
    const pkg = JSON.parse(readFileSync(join(root, "infra/aws/package.json"), "utf8"));
    expect(pkg.exports["."].default).toBe("./dist/src/index.js");
  });

  test.each(["shared", "qa", "prod"])(
    "Pulumi.%s.yaml sets the spec's region and holds no secret",
    (stack) => {
      const config = read(`Pulumi.${stack}.yaml`).config as Record<string, unknown>;
      expect(config["aws:region"], `Pulumi.${stack}.yaml aws:region`).toBe(spec.region);
      const secure = Object.entries(config).filter(([, v]) => JSON.stringify(v).includes('"secure"'));
      expect(secure, `Pulumi.${stack}.yaml must hold non-secret config only`).toEqual([]);
    },
  );
});
