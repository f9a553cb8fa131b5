import { describe, expect, it } from "vitest";
import { branchStages } from "../../src/pipeline/branching.js";
import { STAGE_NAMES } from "../../src/pipeline/stages.js";

const branches = { develop: "develop", main: "main" };

describe("branchStages", () => {
  it("trunk-based: main runs every stage, other branches none", () => {
    expect(branchStages({ branching: "trunk", branches }, "main")).toMatchObject({
      runs: true,
      stages: [...STAGE_NAMES],
    });
    expect(branchStages({ branching: "trunk", branches }, "develop")).toMatchObject({
      runs: false,
      stages: [],
    });
  });

  it("gitflow: develop runs up to verify-qa, main the prod part only (it never builds)", () => {
    const develop = branchStages({ branching: "gitflow", branches }, "develop");
    expect(develop.stages.at(0)).toBe("install");
    expect(develop.stages.at(-1)).toBe("verify-qa");
    const main = branchStages({ branching: "gitflow", branches }, "main");
    expect(main.stages).toEqual(["approve", "promote", "deploy-prod", "verify-prod"]);
    expect([...develop.stages, ...main.stages]).toEqual([...STAGE_NAMES]);
    expect(branchStages({ branching: "gitflow", branches }, "feature/x")).toMatchObject({ runs: false });
  });

  it("follows the spec's branch names", () => {
    const named = { branching: "gitflow" as const, branches: { develop: "dev", main: "release" } };
    expect(branchStages(named, "release").stages[0]).toBe("approve");
    expect(branchStages(named, "main").runs).toBe(false);
  });
});
