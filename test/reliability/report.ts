import { spawnSync } from "node:child_process";
import { copyFile, mkdir, writeFile } from "node:fs/promises";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { lineChart, writePng } from "@platform/plots";
import { REPO_ROOT } from "../src/region-process.js";
import {
  errorSeries,
  latencySeries,
  markers,
  type ScenarioSection,
  sectionMarkdown,
  summaryTable,
} from "../src/reliability-report.js";
import { RESULTS_DIR, readResult, type ScenarioResult } from "../src/reliability-results.js";
import { loadStepsPlots } from "./plots-load-steps.js";
import { SCENARIOS, type Scenario } from "./scenarios.js";

// `npm run reliability [-- --run] [-- --only <scenario>] [-- --reference]`: docs/reliability.md and its
// PNGs from the scenarios' results (test/reliability/results/, written by the short-form suites and the
// full-form scripts; the committed reference results in test/reliability/reference/ when a scenario has
// none). --run runs them first (--only: that one); --reference copies the results used into reference/.

const REFERENCE_DIR = join(REPO_ROOT, "test", "reliability", "reference");
const DOCS = join(REPO_ROOT, "docs");
const PLOTS_DIR = join(DOCS, "reliability");

const INTRO = [
  "Written by `npm run reliability` (test/reliability/report.ts) from each scenario's last result on",
  "this machine (test/reliability/results/), or else its committed reference run",
  "(test/reliability/reference/). `npm run reliability -- --run [--only <scenario>]` runs them first.",
  "The short forms run in `npm test`; the full forms are benchmarks, run by hand, each starting its own",
  "`npm start`. Every scenario sends traffic to 127.0.0.1 only, is bounded in time and stops what it",
  "started by PID. The machine is 2 shared cores: timings are as measured under the load average",
  "shown; the pass conditions are about correctness (failures, outcomes, exactly once).",
];

async function main(args: string[]): Promise<void> {
  const only = args.includes("--only") ? args[args.indexOf("--only") + 1] : undefined;
  if (only && !SCENARIOS.some((s) => s.scenario === only))
    throw new Error(`no scenario ${only}: one of ${SCENARIOS.map((s) => s.scenario).join(", ")}`);
  if (args.includes("--run")) runScenarios(SCENARIOS.filter((s) => !only || s.scenario === only));
  const sections: ScenarioSection[] = [];
  const forms: string[] = [];
  for (const s of SCENARIOS) {
    const fresh = await readResult(s.scenario);
    const result = fresh ?? (await readResult(s.scenario, REFERENCE_DIR));
    if (!result) {
      console.error(`no result for ${s.scenario}: run ${runBy(s)} (or npm run reliability -- --run)`);
      continue;
    }
    if (fresh && args.includes("--reference")) {
      await mkdir(REFERENCE_DIR, { recursive: true });
      await copyFile(join(RESULTS_DIR, `${s.scenario}.json`), join(REFERENCE_DIR, `${s.scenario}.json`));
    }
    forms.push("suite" in s ? "short form, in `npm test`" : "full form, by hand");
    sections.push({
      title: s.title,
      about: s.about,
      result,
      plots: {
        latency: `reliability/${s.scenario}-latency.png`,
        errors: `reliability/${s.scenario}-errors.png`,
      },
    });
  }
  // Committed files follow the repo's format (biome check . in npm test); JSON.stringify's layout differs.
  if (args.includes("--reference")) formatReference();
  await mkdir(PLOTS_DIR, { recursive: true });
  for (const section of sections) await plot(section);
  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(", ");
  const lines = [
    "# Reliability: deploys and failures under load",
    "",
    ...INTRO,
    "",
    `Report written ${new Date().toISOString()} on ${cpus().length} shared cores (load average ${load}).`,
    "",
    ...summaryTable(sections.map((section, i) => ({ ...section, form: forms[i]! }))),
    "",
    ...sections.flatMap(sectionMarkdown),
  ];
  await writeFile(join(DOCS, "reliability.md"), `${lines.join("\n")}\n`);
  console.log(`wrote docs/reliability.md (${sections.length} scenarios)`);
}

async function plot(section: ScenarioSection): Promise<void> {
  const result: ScenarioResult = section.result;
  // A scenario's own time series (targets by state, traffic share per version), with its markers.
  for (const p of result.plots ?? []) {
    const file = `reliability/${result.scenario}-${p.name}.png`;
    const chart = lineChart({
      title: p.title,
      xName: "s from the load's start",
      yName: p.yName,
      series: p.series,
      markers: markers(result),
    });
    await writePng(join(DOCS, file), chart);
    section.plots.extra = [...(section.plots.extra ?? []), { title: p.title, file }];
  }
  // A scenario's own plots (p99 against the rate for load-steps), listed under its section.
  for (const extra of loadStepsPlots(result, "reliability")) {
    await writePng(join(DOCS, extra.file), extra.chart);
    section.plots.extra = [...(section.plots.extra ?? []), { title: extra.title, file: extra.file }];
  }
  await writePng(
    join(DOCS, section.plots.latency),
    lineChart({
      title: `${section.title}: latency per second`,
      xName: "s from the load's start",
      yName: "ms",
      series: latencySeries(result),
      markers: markers(result),
    }),
  );
  await writePng(
    join(DOCS, section.plots.errors),
    lineChart({
      title: `${section.title}: failed requests per second`,
      xName: "s from the load's start",
      yName: "% failed · requests/s",
      series: errorSeries(result),
      markers: markers(result),
    }),
  );
}

function formatReference(): void {
  const biome = join(REPO_ROOT, "node_modules", ".bin", "biome");
  const run = spawnSync(biome, ["format", "--write", REFERENCE_DIR], { cwd: REPO_ROOT, stdio: "inherit" });
  if (run.status !== 0) throw new Error(`biome format of ${REFERENCE_DIR} exited ${run.status}`);
}

const runBy = (s: Scenario) => ("suite" in s ? s.suite : `node test/dist/reliability/${s.script}.js`);

function runScenarios(scenarios: readonly Scenario[]): void {
  const suites = scenarios.flatMap((s) => ("suite" in s ? [s.suite] : []));
  if (suites.length > 0)
    report(
      "the reliability suites",
      run([join(REPO_ROOT, "node_modules/vitest/vitest.mjs"), "run", "--project", "e2e", ...suites]),
    );
  for (const s of scenarios)
    if ("script" in s)
      report(s.scenario, run([join(REPO_ROOT, "test", "dist", "reliability", `${s.script}.js`)]));
}

function run(args: string[]): number | null {
  return spawnSync(process.execPath, args, { cwd: REPO_ROOT, stdio: "inherit", timeout: 3_600_000 }).status;
}

// A failed run still wrote its measurements: the report says what they were.
function report(what: string, status: number | null): void {
  if (status !== 0) console.error(`${what} exited ${status}; reporting what it wrote`);
}

main(process.argv.slice(2)).catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
