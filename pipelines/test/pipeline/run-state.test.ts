import { describe, expect, it } from "vitest";
import { planStages } from "../../src/pipeline/plan.js";
import {
  initialProgress,
  nextStage,
  runOutcome,
  stageFailed,
  stagePassed,
  stageStarted,
} from "../../src/pipeline/run-state.js";
import { stageFooter, stageHeader, summary } from "../../src/pipeline/view.js";

const plan = planStages({ skip: ["install", "lint", "test"], to: "verify-qa" }, new Set());

describe("run progress", () => {
  it("runs the selected stages one after another and ends succeeded", () => {
    let progress = initialProgress(plan);
    const order: string[] = [];
    let t = 0;
    for (let name = nextStage(progress); name; name = nextStage(progress)) {
      order.push(name);
      t += 1000;
      progress = stageStarted(progress, name, t);
      t += 500;
      progress = stagePassed(progress, name, t);
    }
    expect(order).toEqual(["build", "push", "deploy-qa", "verify-qa"]);
    expect(runOutcome(progress)).toBe("succeeded");
    expect(progress.stages.find((s) => s.name === "test")).toMatchObject({
      status: "skipped",
      note: "skipped with --skip",
    });
  });

  it("stops at the first failure and marks later stages blocked by it", () => {
    let progress = initialProgress(plan);
    progress = stagePassed(stageStarted(progress, "build", 0), "build", 1);
    progress = stageFailed(stageStarted(progress, "push", 2), "push", 3, "ImageTagAlreadyExistsException");
    expect(nextStage(progress)).toBeUndefined();
    expect(runOutcome(progress)).toBe("failed");
    expect(progress.stages.find((s) => s.name === "deploy-qa")).toMatchObject({
      status: "blocked",
      note: "not run: push failed",
    });
    expect(progress.stages.find((s) => s.name === "promote")!.status).toBe("skipped");
  });

  it("refuses impossible transitions", () => {
    const progress = initialProgress(plan);
    expect(() => stagePassed(progress, "build", 1)).toThrow("stage build is pending, not running");
    expect(() => stageStarted(progress, "test", 1)).toThrow("stage test is skipped, not pending");
  });

  it("prints a header with the position, a footer with the time and a summary table", () => {
    let progress = initialProgress(plan);
    progress = stageStarted(progress, "build", 0);
    expect(stageHeader(progress, progress.stages[3]!)).toBe("▶ [1/4] build: Build images");
    progress = stagePassed(progress, "build", 2500, "api 1.2 MiB");
    expect(stageFooter(progress.stages[3]!)).toBe("✓ build passed in 2.5s — api 1.2 MiB");
    progress = stageFailed(stageStarted(progress, "push", 3000), "push", 4000, "boom");
    const lines = summary(progress);
    expect(lines[4]).toMatch(/✗ push\s+failed\s+1\.0s\s+boom/);
    expect(lines[5]).toMatch(/- deploy-qa\s+blocked\s+not run: push failed/);
    expect(lines.at(-1)).toBe("pipeline failed in 3.5s");
  });
});
