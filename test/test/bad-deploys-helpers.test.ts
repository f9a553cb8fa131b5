import { describe, expect, it } from "vitest";
import {
  cliVerdictLine,
  type DeployObservation,
  isFinished,
  judgeDeploy,
  loadProblems,
  mainStoppedReason,
  prodProblems,
  verdictFigures,
} from "../src/bad-deploys.js";
import type { Sample } from "../src/load.js";

// No region: how the bad-deploys scenario reads a deploy, the load and prod.

const version = (commit: string) => JSON.stringify({ version: "1", commit });

function sample(stream: string, startedAt: number, status = 200, commit = "old"): Sample {
  return {
    stream,
    host: "qa.localhost",
    path: "/api/v1/version",
    startedAt,
    endedAt: startedAt + 3,
    status,
    body: status === 200 ? version(commit) : "",
  };
}

const CRASH_OUTPUT = [
  "2026-12-03T14:00:00.000Z Updated api-qa: BLUE_GREEN service deployment abc of api-qa:3",
  "2026-12-03T14:00:09.000Z task 1 stopped: Essential container in task exited (exit code 1)",
  "2026-12-03T14:00:20.000Z Deploy of api-qa:3 to platform/api-qa FAILED: the circuit breaker; rolled back to api-qa:1",
  '2026-12-03T14:00:20.000Z   api: {"level":"error","message":"startup failed"}',
  "",
].join("\n");

function crash(overrides: Partial<DeployObservation> = {}): DeployObservation {
  return {
    name: "crash at start",
    startedAt: 1000,
    rolledBackAt: 21_000,
    exitCode: 1,
    output: CRASH_OUTPUT,
    serviceDeploymentStatus: "ROLLBACK_SUCCESSFUL",
    stoppedReasons: ["Essential container in task exited", "Essential container in task exited"],
    revisionBefore: "api-qa:1",
    revisionAfter: "api-qa:1",
    triggeredAlarms: [],
    ...overrides,
  };
}

const CRASHES = { cause: /Essential container in task exited/, startsDeployment: true };

describe("one bad deploy's verdict", () => {
  it("passes a deploy that exited non-zero, rolled back and names its cause; times it and counts failures during it", () => {
    const samples = [
      sample("qa", 500),
      sample("qa", 2000),
      sample("qa", 3000, 502),
      sample("prod", 4000),
      sample("qa", 30_000, 502),
    ];
    const v = judgeDeploy(crash(), CRASHES, samples);
    expect(v.problems).toEqual([]);
    expect(v.outcome).toBe("ROLLBACK_SUCCESSFUL");
    expect(v.rollbackSeconds).toBe(20);
    expect(v.stoppedReason).toBe("Essential container in task exited");
    expect(v.cliMessage).toMatch(/^Deploy of api-qa:3 .* FAILED: .*rolled back to api-qa:1$/);
    // The failures before the start and after the rollback are not this deploy's.
    expect(v.failedDuring).toEqual({ qa: 1, prod: 0 });
  });

  it("fails a deploy reported as success, left on the new revision, or not rolled back", () => {
    const v = judgeDeploy(
      crash({
        exitCode: 0,
        revisionAfter: "api-qa:3",
        rolledBackAt: undefined,
        serviceDeploymentStatus: "SUCCESSFUL",
      }),
      CRASHES,
      [],
    );
    expect(v.problems).toEqual([
      "ecs deploy exited 0",
      "api-qa on api-qa:3 afterwards, not api-qa:1",
      "api-qa was not seen back on its old revision",
      "service deployment SUCCESSFUL, not ROLLBACK_*",
    ]);
    expect(v.rollbackSeconds).toBeUndefined();
  });

  it("fails a rollback for another reason than the expected one", () => {
    const v = judgeDeploy(crash({ stoppedReasons: ["Task failed ELB health checks"] }), CRASHES, []);
    expect(v.problems).toHaveLength(1);
    expect(v.problems[0]).toMatch(/nothing says/);
  });

  it("takes a triggered alarm as the cause of an alarm rollback", () => {
    const v = judgeDeploy(
      crash({ name: "answers 5xx", stoppedReasons: [], triggeredAlarms: ["api-qa-green-5xx"] }),
      { cause: /^api-qa(-green)?-5xx$/, startsDeployment: true },
      [],
    );
    expect(v.problems).toEqual([]);
    expect(v.stoppedReason).toBe("alarm api-qa-green-5xx");
  });

  it("a refused deploy must have started no service deployment", () => {
    const refused = crash({
      output: "Error: image not found, nothing was changed: container api: x:never-pushed was never pushed\n",
      serviceDeploymentStatus: undefined,
      stoppedReasons: [],
      rolledBackAt: 3000,
    });
    const expectation = { cause: /image not found, nothing was changed/, startsDeployment: false };
    expect(judgeDeploy(refused, expectation, []).problems).toEqual([]);
    expect(judgeDeploy(refused, expectation, []).outcome).toBe("refused, nothing changed");
    expect(
      judgeDeploy({ ...refused, serviceDeploymentStatus: "ROLLBACK_SUCCESSFUL" }, expectation, []).problems,
    ).toHaveLength(1);
  });

  it("its figures, numbered, with a pass that lists the problems", () => {
    const figures = verdictFigures(0, judgeDeploy(crash({ exitCode: 0 }), CRASHES, [sample("qa", 2000)]));
    expect(figures["1. crash at start: outcome"]).toBe("ROLLBACK_SUCCESSFUL");
    expect(figures["1. crash at start: deploy start → rolled back, s"]).toBe(20);
    expect(figures["1. crash at start: failed requests during it"]).toBe("qa 0");
    expect(figures["1. crash at start: pass"]).toBe("ecs deploy exited 0");
    expect(figures["1. crash at start: ecs deploy exit code, verdict"]).toMatch(/^0: Deploy of api-qa:3/);
  });
});

describe("the CLI's verdict line and the stopped reason", () => {
  it("the last FAILED or refusal line, without its timestamp; else the last line", () => {
    expect(cliVerdictLine(CRASH_OUTPUT)).toMatch(/^Deploy of api-qa:3 .*rolled back to api-qa:1$/);
    expect(cliVerdictLine("error: image not found, nothing was changed: x\nmore\n")).toMatch(/^error: image/);
    expect(cliVerdictLine("a\n  api: startup FAILED here\nlast words\n")).toBe("last words");
    expect(cliVerdictLine("")).toBe("");
  });

  it("prefers the reason that names the cause", () => {
    expect(mainStoppedReason(["Scaling activity", "OutOfMemoryError: Container killed"], /OutOfMemory/)).toBe(
      "OutOfMemoryError: Container killed",
    );
    expect(mainStoppedReason(["Scaling activity"], /OutOfMemory/)).toBe("Scaling activity");
    expect(mainStoppedReason([], /x/)).toBe("");
  });
});

describe("a service deployment's end", () => {
  it("final: SUCCESSFUL, STOPPED, ROLLBACK_SUCCESSFUL/FAILED; not while pending, in progress or requested", () => {
    for (const s of ["SUCCESSFUL", "STOPPED", "ROLLBACK_SUCCESSFUL", "ROLLBACK_FAILED"])
      expect(isFinished(s)).toBe(true);
    for (const s of [
      "PENDING",
      "IN_PROGRESS",
      "STOP_REQUESTED",
      "ROLLBACK_REQUESTED",
      "ROLLBACK_IN_PROGRESS",
      undefined,
    ])
      expect(isFinished(s)).toBe(false);
  });
});

describe("the load and prod", () => {
  const streams = { qa: ["qa"], prod: ["prod"] };

  it("no problem when every request of qa and prod answered, qa with the old commit", () => {
    expect(
      loadProblems([sample("qa", 1), sample("prod", 2, 200, "prod"), sample("test", 3, 500)], streams, "old"),
    ).toEqual([]);
  });

  it("counts failures per stream, answers of another commit on qa, and a stream without requests", () => {
    const problems = loadProblems([sample("qa", 1, 502), sample("qa", 2, 200, "new")], streams, "old");
    expect(problems).toEqual([
      "1 failed request(s) in qa, the first 502 /api/v1/version",
      "no request in stream prod",
      "1 qa answer(s) from commit new",
    ]);
  });

  it("prod must keep its revision and its very tasks (in any order)", () => {
    const before = { revision: "api-prod:1", taskArns: ["a", "b"] };
    expect(prodProblems(before, { revision: "api-prod:1", taskArns: ["b", "a"] })).toEqual([]);
    expect(prodProblems(before, { revision: "api-prod:2", taskArns: ["a", "c"] })).toEqual([
      "api-prod api-prod:1 → api-prod:2",
      "api-prod's tasks changed: 1 gone, 1 new",
    ]);
  });
});
