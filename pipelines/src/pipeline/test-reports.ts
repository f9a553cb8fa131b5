import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

// What the test stage leaves for people to read: the coverage reports (coverage/<runner>/, HTML,
// lcov, a summary) and the JUnit XML (reports/). Only files this run wrote count: a report left
// from an earlier run would show another commit's numbers.

const METRICS = ["lines", "branches", "functions", "statements"] as const;

export interface CoverageReport {
  /** The runner's folder under coverage/: node (vitest) or browser (Karma). */
  runner: string;
  totals: Record<(typeof METRICS)[number], number>;
}

export interface TestReports {
  coverage: CoverageReport[];
  /** JUnit XML files, relative to the repository. */
  junit: string[];
}

/**
 * File times come from the kernel's coarse clock, a few milliseconds behind Date.now(): a file written
 * right after the stage started can carry an earlier time. A second of slack covers that.
 */
const CLOCK_SLACK_MS = 1000;

export function findTestReports(repoRoot: string, startedMs: number): TestReports {
  const since = startedMs - CLOCK_SLACK_MS;
  return { coverage: coverageReports(repoRoot, since), junit: junitFiles(repoRoot, since) };
}

function coverageReports(repoRoot: string, sinceMs: number): CoverageReport[] {
  const root = join(repoRoot, "coverage");
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => ({ runner: entry.name, summary: join(root, entry.name, "coverage-summary.json") }))
    .filter(({ summary }) => existsSync(summary) && statSync(summary).mtimeMs >= sinceMs)
    .map(({ runner, summary }) => ({ runner, totals: readTotals(summary) }))
    .sort((a, b) => a.runner.localeCompare(b.runner));
}

function readTotals(file: string): CoverageReport["totals"] {
  const { total } = JSON.parse(readFileSync(file, "utf8")) as { total: Record<string, { pct: number }> };
  return Object.fromEntries(METRICS.map((m) => [m, total[m]?.pct ?? 0])) as CoverageReport["totals"];
}

function junitFiles(repoRoot: string, sinceMs: number): string[] {
  const root = join(repoRoot, "reports");
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true, encoding: "utf8" })
    .filter((file) => file.endsWith(".xml"))
    .map((file) => join(root, file))
    .filter((file) => statSync(file).mtimeMs >= sinceMs)
    .map((file) => relative(repoRoot, file))
    .sort();
}

/** One line per report for the stage's note and the log: `node 88.30 / 75.76 / 88.54 / 86.07 %`. */
export function describeReports(reports: TestReports): string[] {
  const coverage = reports.coverage.map(
    (r) =>
      `coverage ${r.runner} ${METRICS.map((m) => r.totals[m].toFixed(2)).join(" / ")} % (${METRICS.join(" / ")})`,
  );
  const junit = reports.junit.length > 0 ? [`JUnit XML: ${reports.junit.join(", ")}`] : [];
  return [...coverage, ...junit];
}
