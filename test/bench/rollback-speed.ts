// ROLLING vs BLUE_GREEN on one service in one platform run: how long from `ecs deploy` to production
// answering only the new version, and how long from the decision to undo a bad version to production
// answering only the previous one. ROLLING undoes with a new deployment of the previous revision
// (`ecs rollback`); BLUE_GREEN undoes inside the bake with `ecs rollback` = StopServiceDeployment
// ROLLBACK, a weight shift back to blue, whose tasks still run. Arms alternate, under a steady
// bounded keep-alive load on the production listener whose every answer says which version served.
//
//   bash scripts/run.sh npm run bench:rollback -w @platform/e2e -- [runs] [--arms ROLLING,BLUE_GREEN] [--out file.json]
//
// Bounded: runs 1–5 (default 3); every CLI call 300 s at most; the load 40 min / 200,000 requests.

import { mkdir, writeFile } from "node:fs/promises";
import { cpus, loadavg, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { pushAppVariant } from "../src/app-image.js";
import { LbClient, type VersionInfo } from "../src/lb-client.js";
import { startLoad } from "../src/load.js";
import { jsonField, summarize } from "../src/load-summary.js";
import { LocalRegionProcess, REPO_ROOT } from "../src/region-process.js";
import { type ArmImage, type ArmRun, runArm, SERVICE, type Strategy } from "./arm.js";
import { measureArm, runLines, summarizeArms, table } from "./report.js";

const PROD = "localhost";
/** Longer than the few seconds an undo takes after the CLI returns at BAKE_TIME; the rolling arm's alarm bake pays it too. */
const BAKE_CAP_SECONDS = 30;
const LOAD = { workers: 2, pauseMs: 25, maxRequests: 200_000, maxMs: 40 * 60_000 };

function options() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { arms: { type: "string", default: "ROLLING,BLUE_GREEN" }, out: { type: "string" } },
  });
  const runs = Number(positionals[0] ?? 3);
  if (!Number.isInteger(runs) || runs < 1 || runs > 5)
    throw new Error(`runs must be 1–5, got "${positionals[0]}"`);
  const arms = values.arms.split(",").map((a) => a.trim().toUpperCase());
  const unknown = arms.filter((a) => a !== "ROLLING" && a !== "BLUE_GREEN");
  if (arms.length === 0 || unknown.length > 0) {
    throw new Error(`--arms takes ROLLING and/or BLUE_GREEN, comma-separated; got "${values.arms}"`);
  }
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const out = values.out ?? join(REPO_ROOT, ".bench", `rollback-speed-${stamp}.json`);
  return { runs, arms: arms as Strategy[], out };
}

function machine() {
  return {
    cpu: `${cpus()[0]?.model ?? "?"} × ${cpus().length}`,
    memoryGiB: Number((totalmem() / 2 ** 30).toFixed(1)),
    node: process.version,
    loadAverage: loadavg().map((l) => Number(l.toFixed(2))),
  };
}

async function main(): Promise<void> {
  const opts = options();
  const startedAt = new Date();
  const machineAtStart = machine();
  console.log(
    `rollback-speed: ${opts.runs} run(s) of ${opts.arms.join(" + ")}; ${JSON.stringify(machineAtStart)}`,
  );
  // api-prod as BLUE_GREEN: npm start gives it the target group pair and the listener rules every
  // strategy can then use (prod's own CANARY would too, but its canary step is not what is measured).
  const region = await LocalRegionProcess.start("rollback-speed", {
    maxDeploymentBakeSeconds: BAKE_CAP_SECONDS,
    deployments: [{ env: "prod", app: "api", deployment: { strategy: "BLUE_GREEN", bakeTimeInMinutes: 1 } }],
  });
  const lb = new LbClient({ port: region.ports.http });
  try {
    const { ecr } = region.clients();
    const before = await lb.json<VersionInfo>({ host: PROD, path: "/api/v1/version" });
    const variant = async (name: string): Promise<ArmImage> => {
      const commit = `bench-${name}-${Date.now()}`;
      return { commit, uri: (await pushAppVariant(ecr, "api", SERVICE, commit)).pinnedUri };
    };
    // Two good versions to alternate between (every deploy changes the version) and one bad one.
    const goods = [await variant("good-a"), await variant("good-b")];
    const bad = await variant("bad");
    console.log(`images pushed; ${SERVICE} serves ${before.commit}`);

    const versionOf = jsonField("commit");
    const load = startLoad(lb, {
      streams: [{ name: "prod", workers: LOAD.workers, requests: [{ host: PROD, path: "/api/v1/version" }] }],
      ...LOAD,
    });
    const arms: ArmRun[] = [];
    let current = before.commit;
    // A run that fails ends the benchmark, but what was measured before it is still reported.
    let failure: string | undefined;
    try {
      for (let run = 1; run <= opts.runs; run++) {
        for (const strategy of opts.arms) {
          const good = goods.find((g) => g.commit !== current)!;
          const arm = await runArm({ region, load, versionOf }, strategy, run, {
            before: current,
            good,
            bad,
          });
          current = good.commit;
          arms.push(arm);
          console.log(runLines([measureArm(arm, load.samples(), versionOf)]));
        }
      }
    } catch (error) {
      failure = (error as Error).message;
      console.error(`run stopped: ${failure}`);
    } finally {
      await load.stop();
    }
    const samples = load.samples();
    if (samples.length >= LOAD.maxRequests)
      throw new Error("the load hit its request bound: the last runs went unmeasured");

    const measures = arms.map((arm) => measureArm(arm, samples, versionOf));
    const summaries = summarizeArms(measures);
    const overall = summarize(samples);
    console.log(`\n${table(summaries)}\n`);
    console.log(
      `load: ${overall.total} requests on the production listener, ${overall.failed.length} failed; statuses ${JSON.stringify(overall.byStatus)}`,
    );
    const machineAtEnd = machine();
    console.log(
      `machine: ${machineAtEnd.cpu}, ${machineAtEnd.memoryGiB} GiB, Node ${machineAtEnd.node}, load average ${machineAtStart.loadAverage.join("/")} → ${machineAtEnd.loadAverage.join("/")}`,
    );
    const result = {
      benchmark: "rollback-speed",
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      runs: opts.runs,
      arms: opts.arms,
      ...(failure !== undefined && { failure }),
      service: SERVICE,
      bakeCapSeconds: BAKE_CAP_SECONDS,
      load: { ...LOAD, total: overall.total, failed: overall.failed.length, byStatus: overall.byStatus },
      machine: { atStart: machineAtStart, atEnd: machineAtEnd },
      summary: summaries,
      measures,
      marks: arms,
    };
    await mkdir(dirname(opts.out), { recursive: true });
    await writeFile(opts.out, `${JSON.stringify(result, null, 2)}\n`);
    console.log(`result: ${opts.out}`);
    if (failure !== undefined) process.exitCode = 1;
  } finally {
    lb.close();
    await region.stop();
  }
}

main().catch((error: Error) => {
  console.error(`rollback-speed failed: ${error.message}`);
  process.exitCode = 1;
});
