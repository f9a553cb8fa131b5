import type { Reporter, TestCase, TestModule } from "vitest/node";
import { teamcityMessage } from "../pipeline/ci.js";

// vitest's results as TeamCity tests: service messages (testSuiteStarted, testStarted,
// testFailed, testIgnored, testFinished) when TEAMCITY_VERSION is set, nothing otherwise, so the
// root vitest config can always list it. Test files run in parallel, so every message carries the
// file as its flowId and TeamCity keeps each file's tests together.
//
// Written here rather than taken from npm: vitest-teamcity-reporter 0.6.1 closes each file's suite
// under another name than it opened it with, and prints whether or not TeamCity runs it.

type Write = (line: string) => void;

/** ANSI colours in assertion diffs would show as garbage in TeamCity. */
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g");
const plain = (text: string) => text.replace(ANSI, "");

/** A test file, named with its vitest project: two projects may each have a test/x.test.ts. */
function fileName(module: TestModule): string {
  return `${module.project.name}: ${module.relativeModuleId}`;
}

export function suiteStarted(module: TestModule): string {
  return teamcityMessage("testSuiteStarted", {
    name: fileName(module),
    flowId: fileName(module),
  });
}

export function suiteFinished(module: TestModule): string {
  return teamcityMessage("testSuiteFinished", {
    name: fileName(module),
    flowId: fileName(module),
  });
}

export function testStarted(test: TestCase): string {
  return teamcityMessage("testStarted", { name: test.fullName, flowId: fileName(test.module) });
}

/** What TeamCity records once a test is done: ignored, failed (message and details) and finished. */
export function testOutcome(test: TestCase): string[] {
  const flow = { name: test.fullName, flowId: fileName(test.module) };
  const result = test.result();
  const lines: string[] = [];
  if (result.state === "skipped") lines.push(teamcityMessage("testIgnored", { ...flow, message: "skipped" }));
  if (result.state === "failed") {
    const [first, ...rest] = result.errors ?? [];
    lines.push(
      teamcityMessage("testFailed", {
        ...flow,
        message: plain(first?.message ?? "failed"),
        details: plain([first?.stack ?? "", ...rest.map((e) => e.stack ?? e.message)].join("\n")),
      }),
    );
  }
  const duration = Math.round(test.diagnostic()?.duration ?? 0);
  lines.push(teamcityMessage("testFinished", { ...flow, duration: String(duration) }));
  return lines;
}

/** A file that failed before any test ran (an import error, a failing beforeAll) is a failed test of its own. */
export function moduleFailure(module: TestModule): string[] {
  const errors = module.errors();
  if (errors.length === 0) return [];
  const flow = { name: `${fileName(module)} (file)`, flowId: fileName(module) };
  return [
    teamcityMessage("testStarted", flow),
    teamcityMessage("testFailed", {
      ...flow,
      message: plain(errors[0]!.message),
      details: plain(errors.map((e) => e.stack ?? e.message).join("\n")),
    }),
    teamcityMessage("testFinished", flow),
  ];
}

export default class TeamCityReporter implements Reporter {
  private readonly write: Write | undefined;
  private readonly started = new Set<string>();

  constructor(options: { env?: NodeJS.ProcessEnv; write?: Write } = {}) {
    const env = options.env ?? process.env;
    this.write = env.TEAMCITY_VERSION
      ? (options.write ?? ((line) => process.stdout.write(`${line}\n`)))
      : undefined;
  }

  onTestModuleStart(module: TestModule): void {
    this.write?.(suiteStarted(module));
  }

  onTestCaseReady(test: TestCase): void {
    if (!this.write) return;
    this.started.add(test.id);
    this.write(testStarted(test));
  }

  onTestCaseResult(test: TestCase): void {
    if (!this.write) return;
    // A skipped test is reported without ever being "ready".
    if (!this.started.delete(test.id)) this.write(testStarted(test));
    for (const line of testOutcome(test)) this.write(line);
  }

  onTestModuleEnd(module: TestModule): void {
    if (!this.write) return;
    for (const line of moduleFailure(module)) this.write(line);
    this.write(suiteFinished(module));
  }
}
