import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import type { Reporter } from "vitest/node";

// `npm test` measures two runners: vitest (V8, the Node code) and Karma (Istanbul, the browser client,
// run by media-server/test/karma.test.ts). Their own summaries land in coverage/; this prints both
// totals as one short table just before the closing line, so a CI log shows them without opening a file.

const METRICS = ["lines", "branches", "functions", "statements"] as const;
type Metric = (typeof METRICS)[number];
type Totals = Record<Metric, { pct: number; covered: number; total: number }>;

/** Karma's json-summary output (media-server/karma.conf.cjs). */
export const BROWSER_SUMMARY = path.resolve("coverage/browser/coverage-summary.json");

/** The part of istanbul-lib-coverage's CoverageMap that vitest hands to onCoverage. */
interface CoverageMapLike {
  getCoverageSummary(): { toJSON(): Totals };
}

export default class CoverageTotalsReporter implements Reporter {
  private startedAt = Date.now();
  private node: Totals | undefined;

  onInit(): void {
    this.startedAt = Date.now();
  }

  onCoverage(coverage: unknown): void {
    this.node = (coverage as CoverageMapLike).getCoverageSummary().toJSON();
  }

  onTestRunEnd(): void {
    const rows: [string, Totals][] = [];
    if (this.node) rows.push(["node (vitest, V8)", this.node]);
    const browser = browserTotalsWrittenSince(this.startedAt);
    if (browser) rows.push(["browser (Karma, Istanbul)", browser]);
    if (rows.length > 0) process.stdout.write(`\n${formatTotals(rows)}`);
  }
}

/** Karma's totals, when Karma ran in this run (an older file is another run's). */
function browserTotalsWrittenSince(since: number): Totals | undefined {
  try {
    if (statSync(BROWSER_SUMMARY).mtimeMs < since) return undefined;
    return (JSON.parse(readFileSync(BROWSER_SUMMARY, "utf8")) as { total: Totals }).total;
  } catch {
    return undefined;
  }
}

export function formatTotals(rows: [string, Totals][]): string {
  const nameWidth = Math.max("coverage".length, ...rows.map(([name]) => name.length));
  const cell = (text: string) => text.padStart(12);
  const lines = [`${"coverage".padEnd(nameWidth)}${METRICS.map(cell).join("")}`];
  for (const [name, totals] of rows) {
    lines.push(
      `${name.padEnd(nameWidth)}${METRICS.map((m) => cell(`${totals[m].pct.toFixed(2)} %`)).join("")}`,
    );
  }
  lines.push("reports: coverage/ (HTML, lcov, text summary), JUnit XML in reports/");
  return `${lines.join("\n")}\n`;
}
