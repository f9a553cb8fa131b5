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
} from "../src/reliability-report.js";
import { RESULTS_DIR, readResult, type ScenarioResult } from "../src/reliability-results.js";

// `npm run reliability [-- --run] [-- --reference]`: docs/reliability.md and its PNGs from the short
// form's results (test/reliability/results/, written by the two reliability suites; the committed
// reference results in test/reliability/reference/ when a scenario has none). --run runs the suites
// first; --reference copies the results used into reference/.

const REFERENCE_DIR = join(REPO_ROOT, "test", "reliability", "reference");
const DOCS = join(REPO_ROOT, "docs");
const PLOTS_DIR = join(DOCS, "reliability");

const SCENARIOS = [
  {
    scenario: "kill",
    suite: "test/test/reliability-kill.test.ts",
    title: "kill -9 of one api-prod task under load",
    about:
      "`test/test/reliability-kill.test.ts`: the platform from `npm start`, HTTP load through the load balancer on qa (keep-alive) and prod (keep-alive, and a new connection per request); one api-prod task's process, found by the task id in its `ECS_CONTAINER_METADATA_URI_V4` (/proc/<pid>/environ), killed with SIGKILL by PID. Asserted: every failed request was sent before the kill + 3 s; the killed task STOPPED with a stopped reason; api-prod back to its desired count; a new task healthy in the target group within the bound (health check 5 s × 2 healthy + 35 s for the API's start on this machine). Measured: failures against the requests in flight at the kill (the issue's bar).",
  },
  {
    scenario: "region-restart",
    suite: "test/test/reliability-region-restart.test.ts",
    title: "the region killed -9 in the middle of a rolling deploy, then started again",
    about:
      "`test/test/reliability-region-restart.test.ts`: api-qa ROLLING (a spec override), a new task definition revision deployed with UpdateService; once its task runs (not yet healthy) the region's process (`npm start`) is killed with SIGKILL, then `npm start` runs again on the same state folder. Asserted: the service deployment ends SUCCESSFUL or ROLLBACK_*; one PRIMARY deployment at the desired count; no task definition, image, log event up to the kill, metric name or alarm missing afterwards; no task process the dead region left behind still alive after the restart.",
  },
] as const;

async function main(args: string[]): Promise<void> {
  if (args.includes("--run")) runSuites();
  const sections: ScenarioSection[] = [];
  for (const s of SCENARIOS) {
    const fresh = await readResult(s.scenario);
    const result = fresh ?? (await readResult(s.scenario, REFERENCE_DIR));
    if (!result) {
      console.error(`no result for ${s.scenario}: run ${s.suite} (or npm run reliability -- --run)`);
      continue;
    }
    if (fresh && args.includes("--reference")) {
      await mkdir(REFERENCE_DIR, { recursive: true });
      await copyFile(join(RESULTS_DIR, `${s.scenario}.json`), join(REFERENCE_DIR, `${s.scenario}.json`));
    }
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
    "# Reliability: a task and the region killed under load",
    "",
    "Written by `npm run reliability` (test/reliability/report.ts) from the short-form suites' results;",
    "`npm run reliability -- --run` runs them first. Issue 15's first slice: one task kill and one region",
    "restart in the middle of a rolling deploy. Not yet here: the chaos loop, the blue/green bake restart,",
    "bad deploys, load steps, hostile clients, WebSocket/WebRTC/job load (see the issue).",
    "",
    `Report written ${new Date().toISOString()} on ${cpus().length} shared cores (load average ${load}).`,
    "",
    ...sections.flatMap(sectionMarkdown),
  ];
  await writeFile(join(DOCS, "reliability.md"), `${lines.join("\n")}\n`);
  console.log(`wrote docs/reliability.md (${sections.length} scenarios)`);
}

async function plot(section: ScenarioSection): Promise<void> {
  const result: ScenarioResult = section.result;
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

function runSuites(): void {
  const run = spawnSync(
    process.execPath,
    [
      join(REPO_ROOT, "node_modules/vitest/vitest.mjs"),
      "run",
      "--project",
      "e2e",
      ...SCENARIOS.map((s) => s.suite),
    ],
    { cwd: REPO_ROOT, stdio: "inherit", timeout: 900_000 },
  );
  // A failed suite still wrote its measurements: the report says what they were.
  if (run.status !== 0)
    console.error(`the reliability suites exited ${run.status}; reporting what they wrote`);
}

main(process.argv.slice(2)).catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
