import { join } from "node:path";
import { loadSpec } from "@platform/env";
import { describe, expect, it } from "vitest";
import { ciModel, pipelineArguments } from "../../src/ci-definitions/model.js";
import { CI_JOBS, STAGES, type StageDefinition } from "../../src/pipeline/stages.js";

// The CI model from the stage table: the jobs it derives, and the table mistakes it refuses.

const spec = loadSpec(join(import.meta.dirname, "..", "..", "..", "env", "platform.yaml"));
const withStage = (name: string, change: Partial<StageDefinition>) =>
  STAGES.map((s) => (s.name === name ? { ...s, ...change } : s));

describe("ciModel", () => {
  const model = ciModel(spec);

  it("gives every job its stages, environment, role, approval, install kind and target", () => {
    expect(
      model.jobs.map((j) => [
        j.id,
        j.stages.map((s) => s.name),
        j.environment,
        j.awsRole,
        j.approval,
        j.install,
        j.target,
      ]),
    ).toEqual([
      ["test", ["lint", "test"], undefined, undefined, false, "full", "local"],
      ["build-push", ["build", "push"], "qa", "qa", false, "tools", "aws"],
      ["deploy-qa", ["deploy-qa", "verify-qa"], "qa", "qa", false, "tools", "aws"],
      [
        "promote-prod",
        ["approve", "promote", "deploy-prod", "verify-prod"],
        "prod",
        "prod",
        true,
        "tools",
        "aws",
      ],
    ]);
    expect(model.jobs.map((j) => j.digestsFrom)).toEqual([undefined, undefined, "build-push", "build-push"]);
    expect({ cluster: model.cluster, region: model.region }).toEqual({
      cluster: spec.cluster.name,
      region: spec.region,
    });
  });

  it("passes --approve only where a person approved, and the stage options and state file everywhere", () => {
    expect(pipelineArguments(model, model.jobs[0]!)).toEqual([
      "--only",
      "lint,test",
      "--test-command",
      '"npm test"',
      "--state",
      ".pipeline/state.json",
    ]);
    expect(pipelineArguments(model, model.jobs[3]!, "api=x")).toContain("--approve");
    expect(
      pipelineArguments(model, { ...model.jobs[3]!, stages: model.jobs[3]!.stages.slice(1) }),
    ).not.toContain("--approve");
  });

  it("refuses a table whose job mixes environments or roles, runs out of order, or runs nothing", () => {
    expect(() => ciModel(spec, { stages: withStage("lint", { job: "deploy-qa" }), jobs: CI_JOBS })).toThrow(
      "stage test runs in CI job test, before job deploy-qa of an earlier stage",
    );
    expect(() =>
      ciModel(spec, { stages: withStage("verify-qa", { environment: "prod" }), jobs: CI_JOBS }),
    ).toThrow("CI job deploy-qa mixes environments qa, prod");
    expect(() =>
      ciModel(spec, { stages: withStage("verify-qa", { awsRole: "prod" }), jobs: CI_JOBS }),
    ).toThrow("CI job deploy-qa mixes AWS roles qa, prod");
    expect(() =>
      ciModel(spec, {
        stages: STAGES.map((s) => (s.job === "deploy-qa" ? { ...s, job: "build-push" as const } : s)),
        jobs: CI_JOBS,
      }),
    ).toThrow("CI job deploy-qa runs no pipeline stage");
  });
});
