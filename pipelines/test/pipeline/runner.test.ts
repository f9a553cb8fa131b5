import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadSpec } from "@platform/env";
import { afterEach, describe, expect, it } from "vitest";
import { ciReporter } from "../../src/pipeline/ci.js";
import type { PipelineContext } from "../../src/pipeline/context.js";
import type { StageEvent } from "../../src/pipeline/notices/events.js";
import { planStages } from "../../src/pipeline/plan.js";
import { runPipeline } from "../../src/pipeline/runner.js";
import type { StageAction } from "../../src/pipeline/stage-actions.js";
import { STAGE_NAMES, type StageName } from "../../src/pipeline/stages.js";
import { emptyState, type PipelineState, readState } from "../../src/pipeline/state-file.js";

// The runner with stand-in stage actions: ordering, failure handling, state saved after every stage.

const spec = loadSpec(join(import.meta.dirname, "..", "..", "..", "env", "platform.yaml"));
const dirs: string[] = [];
afterEach(async () => Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true }))));

function context(lines: string[], ciLines: string[] = []): PipelineContext {
  let clock = 0;
  return {
    repoRoot: "/nowhere",
    spec,
    target: { kind: "aws", region: "eu-west-1", reason: "test" },
    apps: ["api"],
    log: (line) => lines.push(line),
    ci: ciReporter({ TEAMCITY_VERSION: "2025.1" }, (line) => ciLines.push(line)),
    testCommand: ["true"],
    ecr: () => {
      throw new Error("no ECR in this test");
    },
    secretLocator: () => {
      throw new Error("no secret store in this test");
    },
    run: async () => {},
    awsEnv: () => ({}),
    deployTimeoutSeconds: 1,
    approved: true,
    verify: {
      endpoint: () => ({ baseUrl: "http://127.0.0.1:1", host: "x" }),
      testEndpoint: () => ({ baseUrl: "http://127.0.0.1:1", host: "x" }),
      requiredRounds: 1,
      maxRounds: 1,
      intervalMs: 0,
    },
    now: () => (clock += 100),
    sleep: async () => {},
  };
}

function recordingActions(calls: StageName[], failAt?: StageName): Record<StageName, StageAction> {
  const action =
    (name: StageName): StageAction =>
    async (_ctx, state) => {
      calls.push(name);
      if (name === failAt) throw new Error(`${name} broke`);
      const images =
        name === "push"
          ? { api: { tag: "t", digest: `sha256:${"b".repeat(64)}`, qa: "api-qa@x" } }
          : state.images;
      return { state: { ...state, images, commit: "c0ffee0" }, note: `${name} done` };
    };
  const actions = {} as Record<StageName, StageAction>;
  for (const name of STAGE_NAMES) actions[name] = action(name);
  return actions;
}

describe("runPipeline", () => {
  it("runs every stage in order, saves the state after each, and succeeds", async () => {
    const dir = await mkdtemp(join(tmpdir(), "runner-"));
    dirs.push(dir);
    const stateFile = join(dir, "state.json");
    const calls: StageName[] = [];
    const lines: string[] = [];
    const ciLines: string[] = [];
    const result = await runPipeline(context(lines, ciLines), {
      plan: planStages({}, new Set()),
      state: emptyState(),
      stateFile,
      actions: recordingActions(calls),
    });
    expect(calls).toEqual([...STAGE_NAMES]);
    expect(result.outcome).toBe("succeeded");
    const saved = readState(stateFile);
    expect(saved.facts).toEqual([
      "linted",
      "tested",
      "images.qa",
      "deployed.qa",
      "verified.qa",
      "approved",
      "images.prod",
      "deployed.prod",
      "verified.prod",
    ]);
    expect(saved.images.api!.digest).toBe(`sha256:${"b".repeat(64)}`);
    expect(lines).toContain("▶ [5/11] push: Push to qa repositories");
    expect(lines.at(-1)).toBe("pipeline succeeded in 1.1s");
    expect(ciLines[0]).toBe("##teamcity[blockOpened name='install']");
  });

  it("stops at a failing stage, reports it to CI and keeps what earlier stages saved", async () => {
    const dir = await mkdtemp(join(tmpdir(), "runner-"));
    dirs.push(dir);
    const stateFile = join(dir, "state.json");
    const calls: StageName[] = [];
    const ciLines: string[] = [];
    const result = await runPipeline(context([], ciLines), {
      plan: planStages({ skip: ["install", "lint", "test"] }, new Set()),
      state: emptyState(),
      stateFile,
      actions: recordingActions(calls, "verify-qa"),
    });
    expect(calls).toEqual(["build", "push", "deploy-qa", "verify-qa"]);
    expect(result.outcome).toBe("failed");
    expect(ciLines).toContain("##teamcity[buildProblem description='verify-qa: verify-qa broke']");
    expect(JSON.parse(await readFile(stateFile, "utf8")).facts).toEqual(["images.qa", "deployed.qa"]);
  });

  it("forgets an older run's facts from the first stage it reruns onwards", async () => {
    const calls: StageName[] = [];
    const old: PipelineState = {
      ...emptyState(),
      facts: ["tested", "images.qa", "deployed.qa", "verified.qa", "images.prod"],
    };
    const result = await runPipeline(context([]), {
      plan: planStages({ from: "deploy-qa", to: "deploy-qa" }, new Set(old.facts)),
      state: old,
      actions: recordingActions(calls),
    });
    expect(calls).toEqual(["deploy-qa"]);
    expect(result.state.facts).toEqual(["tested", "images.qa", "deployed.qa"]);
  });
});

describe("runPipeline's notices", () => {
  it("tells the notifier of each stage's start and end, and of a failure with its error", async () => {
    const events: StageEvent[] = [];
    const ctx = { ...context([]), notify: async (e: StageEvent) => void events.push(e) };
    await runPipeline(ctx, {
      plan: planStages({}, new Set()),
      state: emptyState(),
      actions: recordingActions([], "deploy-qa"),
    });
    expect(events.map((e) => `${e.stage} ${e.type}`).slice(-3)).toEqual([
      "push passed",
      "deploy-qa started",
      "deploy-qa failed",
    ]);
    expect(events.at(-1)).toMatchObject({ error: "deploy-qa broke" });
    const passed = events.find((e) => e.stage === "push" && e.type === "passed")!;
    expect(passed.state.facts).toContain("images.qa");
  });

  it("a notice that can't be sent is a warning: the run goes on, a stage's own error still shows", async () => {
    const lines: string[] = [];
    const calls: StageName[] = [];
    const ctx = {
      ...context(lines),
      notify: async () => {
        throw new Error("SNS is down");
      },
    };
    const result = await runPipeline(ctx, {
      plan: planStages({ to: "verify-qa" }, new Set()),
      state: emptyState(),
      actions: recordingActions(calls, "verify-qa"),
    });
    expect(calls).toEqual(STAGE_NAMES.slice(0, STAGE_NAMES.indexOf("verify-qa") + 1));
    expect(result.outcome).toBe("failed");
    expect(lines).toContain("warning: notice not sent (verify-qa failed): SNS is down");
    expect(lines.some((l) => l.includes("verify-qa broke"))).toBe(true);
  });
});
