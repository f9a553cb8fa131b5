import { join } from "node:path";
import { loadSpec } from "@platform/env";
import type { GeneratedFile } from "./generated-file.js";
import { githubWorkflows } from "./github.js";
import { ciModel } from "./model.js";
import { teamcitySettings } from "./teamcity.js";

/** How to regenerate, as every generated file and every stale-file message says. */
export const REGENERATE_COMMAND = "npm run ci-definitions -w @platform/pipelines";

const GENERATED_BY = `\`${REGENERATE_COMMAND}\` from pipelines/src/pipeline/stages.ts`;

/**
 * Every CI definition, in memory, from the stage table and the committed spec (env/platform.yaml,
 * never PLATFORM_SPEC: a local copy with other ports must not change what CI runs).
 */
export function ciDefinitionFiles(repoRoot: string): GeneratedFile[] {
  const model = ciModel(loadSpec(join(repoRoot, "env", "platform.yaml")));
  return [...githubWorkflows(model, GENERATED_BY), teamcitySettings(model, GENERATED_BY)];
}
