import { describe, expect, it } from "vitest";
import { PlanError, planStages } from "../../src/pipeline/plan.js";
import type { Fact } from "../../src/pipeline/stages.js";

const none = new Set<Fact>();
const running = (plan: ReturnType<typeof planStages>) => plan.filter((p) => p.run).map((p) => p.stage.name);

describe("planStages", () => {
  it("runs every stage in order by default", () => {
    expect(running(planStages({}, none))).toEqual([
      "install",
      "lint",
      "test",
      "build",
      "push",
      "deploy-qa",
      "verify-qa",
      "approve",
      "promote",
      "deploy-prod",
      "verify-prod",
    ]);
  });

  it("selects a range with --from and --to, and says why the others do not run", () => {
    const plan = planStages({ to: "verify-qa" }, none);
    expect(running(plan)).toEqual(["install", "lint", "test", "build", "push", "deploy-qa", "verify-qa"]);
    expect(plan.find((p) => p.stage.name === "promote")).toMatchObject({ run: false, reason: "after --to" });
  });

  it("treats skipped checks (install, lint, test) as the user's call, not as a missing input", () => {
    expect(running(planStages({ skip: ["test"], to: "push" }, none))).toEqual([
      "install",
      "lint",
      "build",
      "push",
    ]);
    expect(running(planStages({ skip: ["install", "lint", "test"], to: "push" }, none))).toEqual([
      "build",
      "push",
    ]);
  });

  it("never treats a skipped approval as an approval", () => {
    const recorded = new Set<Fact>(["images.qa", "verified.qa"]);
    expect(() => planStages({ from: "promote" }, recorded)).toThrow(
      "stage promote needs approved, which stage approve produces",
    );
    expect(() => planStages({ from: "approve", skip: ["approve"] }, recorded)).toThrow(
      /stage promote needs approved/,
    );
  });

  it("refuses a stage whose inputs nobody produces, naming the stage that would", () => {
    expect(() => planStages({ from: "promote" }, none)).toThrow(
      "stage promote needs images.qa, verified.qa, approved, which stage push, verify-qa, approve produces",
    );
    expect(() => planStages({ only: ["push"] }, none)).toThrow(
      /stage push needs built, which stage build produces/,
    );
    expect(() => planStages({ skip: ["verify-qa"] }, none)).toThrow(/stage approve needs verified\.qa/);
    expect(() => planStages({ only: ["build"] }, none)).toThrow(/stage build needs linted, tested/);
  });

  it("continues from a state file: facts recorded by an earlier CI job satisfy the inputs", () => {
    const recorded = new Set<Fact>(["linted", "tested", "images.qa", "deployed.qa", "verified.qa"]);
    expect(running(planStages({ from: "approve" }, recorded))).toEqual([
      "approve",
      "promote",
      "deploy-prod",
      "verify-prod",
    ]);
    expect(running(planStages({ only: ["verify-qa"] }, recorded))).toEqual(["verify-qa"]);
  });

  it("verifies an environment from its images alone: a CI server may deploy with the plain ecs deploy line", () => {
    expect(running(planStages({ only: ["verify-qa"] }, new Set<Fact>(["images.qa"])))).toEqual(["verify-qa"]);
    expect(() => planStages({ only: ["verify-qa"] }, none)).toThrow(/stage verify-qa needs images\.qa/);
  });

  it("rejects unknown stages, a reversed range and an empty selection", () => {
    expect(() => planStages({ from: "deploy" }, none)).toThrow(PlanError);
    expect(() => planStages({ from: "deploy" }, none)).toThrow("--from deploy: unknown stage");
    expect(() => planStages({ from: "promote", to: "push" }, none)).toThrow(
      "--from promote comes after --to push",
    );
    expect(() => planStages({ only: ["test"], skip: ["test"] }, none)).toThrow("no stage to run");
  });
});
