import { describe, expect, it } from "vitest";
import type { TestCase, TestModule } from "vitest/node";
import TeamCityReporter from "../../src/ci-definitions/vitest-teamcity-reporter.js";

// The reporter over hand-built test cases (the shape vitest hands reporters): what TeamCity reads
// is the exact service-message text, so the tests compare it whole.

interface Fake {
  state: "passed" | "failed" | "skipped";
  errors?: { message: string; stack?: string }[];
  duration?: number;
}

function fakeModule(path: string, errors: { message: string; stack?: string }[] = []): TestModule {
  return {
    relativeModuleId: path,
    project: { name: "pipelines" },
    errors: () => errors,
  } as unknown as TestModule;
}

function fakeTest(module: TestModule, id: string, fullName: string, outcome: Fake): TestCase {
  return {
    id,
    fullName,
    module,
    result: () => ({ state: outcome.state, errors: outcome.errors }),
    diagnostic: () => (outcome.duration === undefined ? undefined : { duration: outcome.duration }),
  } as unknown as TestCase;
}

function run(env: NodeJS.ProcessEnv, drive: (reporter: TeamCityReporter) => void): string[] {
  const lines: string[] = [];
  drive(new TeamCityReporter({ env, write: (line) => lines.push(line) }));
  return lines;
}

const module = fakeModule("test/a.test.ts");

describe("the vitest TeamCity reporter", () => {
  it("prints nothing unless TeamCity runs it", () => {
    const lines = run({}, (r) => {
      const test = fakeTest(module, "1", "x", { state: "passed", duration: 1 });
      r.onTestModuleStart(module);
      r.onTestCaseReady(test);
      r.onTestCaseResult(test);
      r.onTestModuleEnd(module);
    });
    expect(lines).toEqual([]);
  });

  it("reports a file as a suite and each test as started and finished, with its duration, in the file's flow", () => {
    const lines = run({ TEAMCITY_VERSION: "2025.03" }, (r) => {
      const test = fakeTest(module, "1", "plan > runs in order", { state: "passed", duration: 12.6 });
      r.onTestModuleStart(module);
      r.onTestCaseReady(test);
      r.onTestCaseResult(test);
      r.onTestModuleEnd(module);
    });
    expect(lines).toEqual([
      "##teamcity[testSuiteStarted name='pipelines: test/a.test.ts' flowId='pipelines: test/a.test.ts']",
      "##teamcity[testStarted name='plan > runs in order' flowId='pipelines: test/a.test.ts']",
      "##teamcity[testFinished name='plan > runs in order' flowId='pipelines: test/a.test.ts' duration='13']",
      "##teamcity[testSuiteFinished name='pipelines: test/a.test.ts' flowId='pipelines: test/a.test.ts']",
    ]);
  });

  it("escapes | ' [ ] and line breaks in names and messages, and drops terminal colours", () => {
    const lines = run({ TEAMCITY_VERSION: "1" }, (r) => {
      const test = fakeTest(module, "2", "it's [a|b]\r\nc", {
        state: "failed",
        errors: [{ message: "expected \u001b[31m1\u001b[39m to be 2", stack: "Error: x\n    at y" }],
      });
      r.onTestCaseReady(test);
      r.onTestCaseResult(test);
    });
    expect(lines).toEqual([
      "##teamcity[testStarted name='it|'s |[a||b|]|r|nc' flowId='pipelines: test/a.test.ts']",
      "##teamcity[testFailed name='it|'s |[a||b|]|r|nc' flowId='pipelines: test/a.test.ts' message='expected 1 to be 2' details='Error: x|n    at y']",
      "##teamcity[testFinished name='it|'s |[a||b|]|r|nc' flowId='pipelines: test/a.test.ts' duration='0']",
    ]);
  });

  it("reports a skipped test as ignored, even though vitest never said it was ready", () => {
    const lines = run({ TEAMCITY_VERSION: "1" }, (r) =>
      r.onTestCaseResult(fakeTest(module, "3", "later", { state: "skipped" })),
    );
    expect(lines).toEqual([
      "##teamcity[testStarted name='later' flowId='pipelines: test/a.test.ts']",
      "##teamcity[testIgnored name='later' flowId='pipelines: test/a.test.ts' message='skipped']",
      "##teamcity[testFinished name='later' flowId='pipelines: test/a.test.ts' duration='0']",
    ]);
  });

  it("turns a file that failed before its tests ran into a failed test of its own", () => {
    const broken = fakeModule("test/b.test.ts", [
      { message: "Cannot find module './x.js'", stack: "Error: Cannot find…" },
    ]);
    const lines = run({ TEAMCITY_VERSION: "1" }, (r) => r.onTestModuleEnd(broken));
    expect(lines).toEqual([
      "##teamcity[testStarted name='pipelines: test/b.test.ts (file)' flowId='pipelines: test/b.test.ts']",
      "##teamcity[testFailed name='pipelines: test/b.test.ts (file)' flowId='pipelines: test/b.test.ts' message='Cannot find module |'./x.js|'' details='Error: Cannot find…']",
      "##teamcity[testFinished name='pipelines: test/b.test.ts (file)' flowId='pipelines: test/b.test.ts']",
      "##teamcity[testSuiteFinished name='pipelines: test/b.test.ts' flowId='pipelines: test/b.test.ts']",
    ]);
  });
});
