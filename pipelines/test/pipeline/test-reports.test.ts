import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { PipelineContext } from "../../src/pipeline/context.js";
import { STAGE_ACTIONS } from "../../src/pipeline/stage-actions.js";
import { emptyState } from "../../src/pipeline/state-file.js";
import { describeReports, findTestReports } from "../../src/pipeline/test-reports.js";

// The test stage's reports: what this run wrote (never a report an earlier run left), shown and zipped.

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function checkout(): string {
  const dir = mkdtempSync(join(tmpdir(), "reports-"));
  dirs.push(dir);
  return dir;
}

function writeSummary(root: string, runner: string, pct: [number, number, number, number]): string {
  const folder = join(root, "coverage", runner);
  mkdirSync(folder, { recursive: true });
  const [lines, branches, functions, statements] = pct;
  const total = {
    lines: { pct: lines },
    branches: { pct: branches },
    functions: { pct: functions },
    statements: { pct: statements },
  };
  const file = join(folder, "coverage-summary.json");
  writeFileSync(file, JSON.stringify({ total }));
  return file;
}

function writeJunit(root: string, name: string): string {
  mkdirSync(join(root, "reports", name), { recursive: true });
  const file = join(root, "reports", name, "junit.xml");
  writeFileSync(file, "<testsuites/>");
  return file;
}

const anHourAgo = () => new Date(Date.now() - 3_600_000);

describe("the test stage's reports", () => {
  it("finds the coverage totals and JUnit files written since the stage started, not older ones", () => {
    const root = checkout();
    writeSummary(root, "node", [88.3, 75.76, 88.54, 86.07]);
    const stale = writeSummary(root, "browser", [10, 10, 10, 10]);
    utimesSync(stale, anHourAgo(), anHourAgo());
    writeJunit(root, "vitest");
    const oldJunit = writeJunit(root, "karma");
    utimesSync(oldJunit, anHourAgo(), anHourAgo());
    const reports = findTestReports(root, Date.now() - 60_000);
    expect(reports).toEqual({
      coverage: [
        { runner: "node", totals: { lines: 88.3, branches: 75.76, functions: 88.54, statements: 86.07 } },
      ],
      junit: ["reports/vitest/junit.xml"],
    });
    expect(describeReports(reports)).toEqual([
      "coverage node 88.30 / 75.76 / 88.54 / 86.07 % (lines / branches / functions / statements)",
      "JUnit XML: reports/vitest/junit.xml",
    ]);
  });

  it("a checkout without reports has none", () => {
    expect(findTestReports(checkout(), 0)).toEqual({ coverage: [], junit: [] });
  });

  const stageContext = (root: string, run: PipelineContext["run"], lines: string[]) =>
    ({
      repoRoot: root,
      testCommand: ["npm", "test"],
      now: Date.now,
      log: (l: string) => lines.push(l),
      run,
    }) as unknown as PipelineContext;

  it("runs the test command, then packs the coverage it wrote into coverage.zip", async () => {
    const root = checkout();
    const calls: string[][] = [];
    const lines: string[] = [];
    const run: PipelineContext["run"] = async (command, args) => {
      calls.push([command, ...args]);
      if (command === "npm") writeSummary(root, "node", [90, 80, 85, 88]);
    };
    const result = await STAGE_ACTIONS.test(stageContext(root, run, lines), emptyState(), {
      built: new Map(),
    });
    expect(calls).toEqual([
      ["npm", "test"],
      ["node", "scripts/coverage-zip.ts", "--to", "coverage.zip"],
    ]);
    expect(result.note).toBe(
      "npm test; coverage node 90.00 / 80.00 / 85.00 / 88.00 % (lines / branches / functions / statements); coverage.zip",
    );
    expect(lines).toContain(
      "coverage node 90.00 / 80.00 / 85.00 / 88.00 % (lines / branches / functions / statements)",
    );
  });

  it("a failing test run still publishes its reports, then fails the stage with the run's error", async () => {
    const root = checkout();
    const calls: string[][] = [];
    const run: PipelineContext["run"] = async (command, args) => {
      calls.push([command, ...args]);
      if (command === "npm") {
        writeSummary(root, "node", [50, 40, 45, 48]);
        throw new Error("npm test exited with 1: tests: 1 passed, 1 failed");
      }
    };
    await expect(
      STAGE_ACTIONS.test(stageContext(root, run, []), emptyState(), { built: new Map() }),
    ).rejects.toThrow("npm test exited with 1: tests: 1 passed, 1 failed");
    expect(calls.map((c) => c[0])).toEqual(["npm", "node"]);
  });

  it("without coverage (npm run test:unit) there is nothing to pack", async () => {
    const root = checkout();
    const calls: string[][] = [];
    const run: PipelineContext["run"] = async (command, args) => {
      calls.push([command, ...args]);
    };
    const result = await STAGE_ACTIONS.test(stageContext(root, run, []), emptyState(), { built: new Map() });
    expect(calls).toEqual([["npm", "test"]]);
    expect(result.note).toBe("npm test");
  });
});
