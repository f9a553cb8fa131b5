import { durationMs } from "@platform/pipelines/pipeline/run-state";
import { summary } from "@platform/pipelines/pipeline/view";
import { describe, expect, it } from "vitest";
import { parsePipelineSummary } from "../bench/pipeline-summary.js";

// No region: the pipeline benchmark's reading of the runner's own closing table.

describe("the pipeline benchmark's reading of a run's summary", () => {
  it("reads every stage's status and seconds, and the total, from the table the runner prints", () => {
    const stages = [
      { name: "install", title: "", status: "skipped", consumes: [], produces: [] },
      { name: "build", title: "", status: "passed", startedAt: 0, endedAt: 12_340, note: "api 40 MB" },
      {
        name: "deploy-qa",
        title: "",
        status: "failed",
        startedAt: 12_340,
        endedAt: 70_000,
        note: "ecs deploy exited with 2",
      },
      { name: "verify-qa", title: "", status: "blocked", note: "not run: deploy-qa failed" },
    ] as unknown as Parameters<typeof summary>[0]["stages"];
    const output = [
      "▶ [1/3] build: Build images",
      "✓ build passed in 12.3s",
      ...summary({ stages }),
      "",
    ].join("\n");
    expect(durationMs(stages[1]!)).toBe(12_340);
    expect(parsePipelineSummary(output)).toEqual({
      stages: [
        { stage: "install", status: "skipped", seconds: undefined },
        { stage: "build", status: "passed", seconds: 12.3 },
        { stage: "deploy-qa", status: "failed", seconds: 57.7 },
        { stage: "verify-qa", status: "blocked", seconds: undefined },
      ],
      outcome: "failed",
      totalSeconds: 70,
    });
  });

  it("an output without a summary (the run was killed) has no stages", () => {
    expect(parsePipelineSummary("▶ [1/3] build: Build images\n")).toEqual({
      stages: [],
      outcome: undefined,
      totalSeconds: undefined,
    });
  });
});
