// One `npm run pipeline -- --approve` against the running local region (`npm start`), timed stage by
// stage, under a steady bounded keep-alive load on qa and prod through the load balancer whose every
// answer is checked: the README's pipeline table comes from this. The load starts with the first
// stage after the tests (build or later): it is there to see the deploys, and running it through a
// half-hour test stage would only slow the tests on a 2-core machine.
//
//   bash scripts/run.sh npm run bench:pipeline -w @platform/e2e -- [--out file.json] [-- <pipeline options>]
//
// Bounded: the pipeline 60 min at most; the load 60 min / 400,000 requests.

import { spawn } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { cpus, loadavg, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { loadSpec } from "@platform/env";
import { killByPid } from "@platform/local-region/testing";
import { LbClient } from "../src/lb-client.js";
import { startLoad } from "../src/load.js";
import { jsonField, summarizeStreams } from "../src/load-summary.js";
import { REPO_ROOT } from "../src/region-process.js";
import { parsePipelineSummary } from "./pipeline-summary.js";

const LIMIT_MS = 60 * 60_000;
const LOAD = { workers: 2, pauseMs: 50, maxRequests: 400_000, maxMs: LIMIT_MS };
const HOSTS = { qa: "qa.localhost", prod: "localhost" } as const;
const PATHS = ["/api/v1/version", "/media/version", "/healthz"];

function options() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { out: { type: "string" } },
  });
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  return {
    out: values.out ?? join(REPO_ROOT, ".bench", `pipeline-run-${stamp}.json`),
    pipelineArgs: positionals,
  };
}

function machine() {
  return {
    cpu: `${cpus()[0]?.model ?? "?"} × ${cpus().length}`,
    memoryGiB: Number((totalmem() / 2 ** 30).toFixed(1)),
    node: process.version,
    loadAverage: loadavg().map((l) => Number(l.toFixed(2))),
  };
}

/** A stage header of the runner (view.ts `stageHeader`) for a stage after the tests. */
const DEPLOY_PHASE =
  /▶ \[\d+\/\d+\] (build|push|deploy-qa|verify-qa|approve|promote|deploy-prod|verify-prod):/;

function runPipeline(
  args: string[],
  onDeployPhase: () => void,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, "pipelines/dist/src/pipeline/cli.js"), ...args], {
      cwd: REPO_ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    let started = false;
    const relay = (chunk: Buffer) => {
      output += chunk.toString();
      process.stdout.write(chunk);
      if (!started && DEPLOY_PHASE.test(output)) {
        started = true;
        onDeployPhase();
      }
    };
    child.stdout.on("data", relay);
    child.stderr.on("data", relay);
    const timer = setTimeout(() => killByPid(child, "SIGTERM"), LIMIT_MS);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

async function main(): Promise<void> {
  const opts = options();
  const spec = loadSpec(process.env.PLATFORM_SPEC ?? join(REPO_ROOT, "env", "platform.yaml"));
  const lb = new LbClient({ port: spec.local.httpPort });
  const startedAt = new Date();
  const machineAtStart = machine();
  let load: ReturnType<typeof startLoad> | undefined;
  const startBackgroundLoad = () => {
    console.log(`bench: load on ${Object.values(HOSTS).join(", ")} from here on`);
    load = startLoad(lb, {
      ...LOAD,
      streams: Object.entries(HOSTS).map(([name, host]) => ({
        name,
        workers: LOAD.workers,
        requests: PATHS.map((path) => ({ host, path })),
      })),
    });
  };
  const args = ["--approve", ...opts.pipelineArgs];
  console.log(`bench: npm run pipeline -- ${args.join(" ")}`);
  const run = await runPipeline(args, startBackgroundLoad);
  const samples = load ? await load.stop() : [];
  lb.close();
  const summary = parsePipelineSummary(run.output);
  const streams = summarizeStreams(samples, jsonField("commit"));
  const result = {
    startedAt: startedAt.toISOString(),
    machine: machineAtStart,
    machineAtEnd: machine(),
    command: `npm run pipeline -- ${args.join(" ")}`,
    exitCode: run.code,
    pipeline: summary,
    load: Object.fromEntries(
      Object.entries(streams).map(([name, s]) => [
        name,
        { total: s.total, failed: s.failed.length, byStatus: s.byStatus, commits: Object.keys(s.labels) },
      ]),
    ),
  };
  await mkdir(dirname(opts.out), { recursive: true });
  await writeFile(opts.out, `${JSON.stringify(result, null, 2)}\n`);
  console.log("\n| stage | status | seconds |\n| --- | --- | ---: |");
  for (const s of summary.stages)
    console.log(`| ${s.stage} | ${s.status} | ${s.seconds?.toFixed(1) ?? ""} |`);
  console.log(`| **total** | ${summary.outcome ?? "?"} | ${summary.totalSeconds?.toFixed(1) ?? ""} |`);
  for (const [name, s] of Object.entries(result.load)) {
    console.log(
      `load ${name}: ${s.failed} failed of ${s.total} (${JSON.stringify(s.byStatus)}), commits served: ${s.commits.join(", ")}`,
    );
  }
  console.log(`bench: ${opts.out}`);
  const loaded = Object.values(result.load);
  process.exitCode = run.code === 0 && loaded.length > 0 && loaded.every((s) => s.failed === 0) ? 0 : 1;
}

main().catch((error: Error) => {
  console.error(`bench: ${error.message}`);
  process.exitCode = 1;
});
