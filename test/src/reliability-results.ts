import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Bucket, LatencyFigures } from "./latency.js";
import { REPO_ROOT } from "./region-process.js";

// What a reliability scenario measured, as JSON in test/reliability/results/<scenario>.json: the
// tests write it, `npm run reliability` (test/reliability/report.ts) reads it into docs/reliability.md.

export const RESULTS_DIR = join(REPO_ROOT, "test", "reliability", "results");

export interface ScenarioResult {
  scenario: string;
  /** ISO time of the run. */
  ranAt: string;
  machine: { cpus: number; loadAverage: number[]; node: string };
  /** Per stream of the load (qa, prod keep-alive, prod new connections). */
  streams: Record<string, LatencyFigures>;
  /** Seconds from the load's start, for the plots. */
  timeline: Bucket[];
  /** The moments to mark on the plots (kill, restart), seconds from the load's start. */
  markers: { t: number; label: string }[];
  /** Scenario-specific figures (recovery time, deploy outcome, counts before/after). */
  figures: Record<string, string | number | boolean>;
  /** What was asserted and what was only measured, in words. */
  notes: string[];
  /** Rows a single figure can't hold (one per load step, per hostile client), each its own table. */
  tables?: ResultTable[];
  /** Time series of the scenario's own (target counts by state, traffic share per version), each a PNG. */
  plots?: ResultPlot[];
}

export interface ResultPlot {
  /** The PNG's name: docs/reliability/<scenario>-<name>.png. */
  name: string;
  title: string;
  yName: string;
  /** Seconds from the load's start → value; the scenario's markers are drawn on it too. */
  series: { name: string; points: [number, number][] }[];
}

export interface ResultTable {
  title: string;
  columns: string[];
  rows: (string | number | boolean)[][];
}

export async function writeResult(result: ScenarioResult): Promise<string> {
  await mkdir(RESULTS_DIR, { recursive: true });
  const path = join(RESULTS_DIR, `${result.scenario}.json`);
  await writeFile(path, `${JSON.stringify(result, null, 2)}\n`);
  return path;
}

export async function readResult(scenario: string, dir = RESULTS_DIR): Promise<ScenarioResult | undefined> {
  try {
    return JSON.parse(await readFile(join(dir, `${scenario}.json`), "utf8")) as ScenarioResult;
  } catch {
    return undefined;
  }
}
