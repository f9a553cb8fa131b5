import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { sleep } from "@platform/local-region/testing";
import { hostPorts, runningTasks } from "../src/ecs-tasks.js";
import { httpCall } from "../src/http-call.js";
import { latencyFigures, timeline } from "../src/latency.js";
import type { Sample } from "../src/load.js";
import {
  doublingRates,
  keepAliveAgent,
  type OpenLoopRequest,
  rateWhereP99Passes,
  runStep,
  type StepFigures,
  type StepRun,
  saturated,
  stepFigures,
} from "../src/open-loop.js";
import {
  cpuPercent,
  machineBusyPercent,
  readMachineCpu,
  readProc,
  readProcs,
  readSchedWaitMs,
} from "../src/proc-stats.js";
import { LocalRegionProcess } from "../src/region-process.js";
import { type ResultTable, writeResult } from "../src/reliability-results.js";
import { taskPids } from "../src/task-process.js";

// Issue 15, scenario 5 (full form, run by hand): open-loop request-rate steps through the load balancer
// to api-prod and, the same steps, straight to one api-prod task's host port; p50/p95/p99 per step and
// the rate at which p99 passes 100 ms on each path. Then the same for job submission (POST
// /api/v1/jobs). The load generator runs on the same 2 cores: its CPU, the region's (the load
// balancer) and the tasks' are measured per step, so the report can say what bounded the rate.
//
//   bash scripts/run.sh npx tsc -b && bash scripts/run.sh node test/dist/reliability/load-steps.js

const PROD = "localhost";
const THRESHOLD_MS = 100;
const STEP_MS = 4_000;
const PAUSE_MS = 1_500;
// A target's steps stop once it is saturated: more rate only piles up a queue.
const P99_CAP_MS = 5_000;
const VERSION_RATES = doublingRates(50, 12_800);
const JOB_RATES = doublingRates(10, 640);
const MAX_IN_FLIGHT = 512;
const TIMEOUT_MS = 10_000;
const RUN_LIMIT_MS = 15 * 60_000;

interface StepRow extends StepFigures {
  startedAt: number;
  regionCpuPercent?: number;
  tasksCpuPercent?: number;
  /** Every process of the machine (the other engineers' too), % of both cores. */
  machineBusyPercent: number;
  /** The region's event loop runnable but waiting for a core, % of the step's wall time (/proc/<pid>/schedstat). */
  regionWaitPercent?: number;
}

function waitPercent(
  from: number | undefined,
  to: number | undefined,
  startedAt: number,
): number | undefined {
  if (from === undefined || to === undefined) return undefined;
  return Math.round((1000 * (to - from)) / (Date.now() - startedAt)) / 10;
}

async function main(): Promise<number> {
  const runStarted = Date.now();
  const region = await LocalRegionProcess.start("reliability-load-steps");
  const rows: StepRow[] = [];
  const samples: Sample[] = [];
  const markers: { t: number; label: string }[] = [];
  const notes: string[] = [];
  let tasksBefore = 0;
  let tasksAfter = "";
  let jobsCanceled = 0;
  let jobsCompleted = 0;
  try {
    const clients = region.clients();
    const tasks = await runningTasks(clients, "api-prod");
    tasksBefore = tasks.length;
    const direct = tasks[0];
    const directPort = direct ? hostPorts(direct)[0] : undefined;
    if (!direct || !directPort) throw new Error("no running api-prod task with a host port");
    const taskIds = tasks.map((t) => t.taskArn?.split("/").pop() ?? "");
    const taskProcessIds = taskIds.flatMap((id) => taskPids(id));
    const regionPid = region.pid ?? 0;
    const key = region.apiKeys().prod;
    const targets = [
      { name: "load balancer", port: region.ports.http, agent: keepAliveAgent(64) },
      { name: `task ${taskIds[0]?.slice(0, 8)} direct`, port: directPort, agent: keepAliveAgent(64) },
    ];

    const step = async (
      series: string,
      target: (typeof targets)[number],
      rate: number,
      req: OpenLoopRequest,
    ): Promise<{ row: StepRow; run: StepRun }> => {
      const startedAt = Date.now();
      const regionBefore = readProc(regionPid);
      const machineBefore = readMachineCpu();
      const waitBefore = readSchedWaitMs(regionPid);
      const tasksBeforeCpu = readProcs(taskProcessIds);
      const run = await runStep(req, {
        port: target.port,
        ratePerSecond: rate,
        durationMs: STEP_MS,
        maxInFlight: MAX_IN_FLIGHT,
        timeoutMs: TIMEOUT_MS,
        agent: target.agent,
      });
      const row: StepRow = {
        ...stepFigures(`${series} · ${target.name}`, rate, run),
        startedAt,
        ...defined("regionCpuPercent", cpuPercent(regionBefore, readProc(regionPid))),
        ...defined("tasksCpuPercent", cpuPercent(tasksBeforeCpu, readProcs(taskProcessIds))),
        machineBusyPercent: machineBusyPercent(machineBefore, readMachineCpu()),
        ...defined("regionWaitPercent", waitPercent(waitBefore, readSchedWaitMs(regionPid), startedAt)),
      };
      rows.push(row);
      samples.push(...asSamples(row.target, req, startedAt, run));
      console.log(JSON.stringify(row));
      return { row, run };
    };

    const version: OpenLoopRequest = { method: "GET", host: PROD, path: "/api/v1/version" };
    await stepUp("GET /api/v1/version", VERSION_RATES, (target, rate) =>
      step("version", target, rate, version),
    );

    // Job submission: a 0.2 s 64×64 clip, ultrafast 240p (tens of ms of ffmpeg each), and every job
    // still queued or running canceled after each step, so the workers (one slot per task) never hold
    // a backlog into the next step; what is measured is the POST, a SQLite write and the worker's poke.
    const input = await uploadTinyClip(region.ports.http, key);
    const submit: OpenLoopRequest = {
      method: "POST",
      host: PROD,
      path: "/api/v1/jobs",
      headers: { authorization: `Bearer ${key}` },
      keepBody: true,
      body: () =>
        JSON.stringify({
          input,
          output: "objects://out/",
          priority: 0,
          profile: {
            ffmpeg: { codec: "h264", scale: "240p", bitrate: 1, profile: "latency", speed: "ultrafast" },
          },
        }),
    };
    await stepUp("POST /api/v1/jobs", JOB_RATES, async (target, rate) => {
      const result = await step("jobs", target, rate, submit);
      const outcome = await cancelJobs(region.ports.http, key, result.run);
      jobsCanceled += outcome.canceled;
      jobsCompleted += outcome.final;
      return result;
    });
    const after = await runningTasks(clients, "api-prod");
    tasksAfter = `${after.length} (${after.filter((t) => tasks.some((b) => b.taskArn === t.taskArn)).length} of them the tasks at the start)`;

    async function stepUp(
      label: string,
      rates: number[],
      one: (target: (typeof targets)[number], rate: number) => Promise<{ row: StepRow }>,
    ): Promise<void> {
      markers.push({ t: (Date.now() - runStarted) / 1000, label });
      const done = new Set<string>();
      for (const rate of rates) {
        // LB and direct in turn at each rate, so the machine's drifting load falls on both alike.
        for (const target of targets) {
          if (done.has(target.name) || Date.now() - runStarted > RUN_LIMIT_MS) continue;
          const { row } = await one(target, rate);
          if (saturated(row, P99_CAP_MS)) done.add(target.name);
          await sleep(PAUSE_MS);
        }
        if (done.size === targets.length) break;
      }
    }
    for (const t of targets) t.agent.destroy();
  } finally {
    await region.stop();
  }

  const origin = runStarted;
  const series = [...new Set(rows.map((r) => r.target))];
  const passes = Object.fromEntries(
    series.map((s) => {
      const rate = rateWhereP99Passes(
        rows.filter((r) => r.target === s),
        THRESHOLD_MS,
      );
      return [`p99 > ${THRESHOLD_MS} ms from (req/s): ${s}`, rate ?? "not within the steps"];
    }),
  );
  const maxGenerator = Math.max(...rows.map((r) => r.generatorCpuPercent));
  notes.push(
    "Open loop: request i of a step is due at i / rate s and is sent then, answered or not (the 1 ms timer sends the requests that fell due as a burst); latency is sent → answered of the requests answered 2xx/3xx; a 4xx, 5xx or error is a failure. Each step is 4 s at its rate (count = rate × 4), at most 512 in flight, 10 s per request; a path stops stepping up once it is saturated (answered < 70 % of the rate, > 5 % failed or not sent, or p99 > 5 s). LB and direct alternate at each rate.",
    `The load generator is this script's process on the same 2 cores as the region (its load balancer) and the tasks: up to ${maxGenerator} % of one core in a step (column generator CPU). The region's and the api-prod tasks' CPU per step are beside it (% of one core; 200 % is the whole machine); the machine column is every process's (the other engineers' builds and tests too, % of both cores): where it is near 100 % while ours add up to far less, the rate was bounded by the shared machine (waiting for a core), not by the load balancer's or the API's own work. The lag column is the generator's own delay (scheduled → sent, p99). 'Region waiting for a core' is the run-queue wait of the region's main thread (its event loop, which runs the load balancer) from /proc/<pid>/schedstat, as a share of the step's time: time it had work and no core.`,
    `Job submission: a 0.2 s 64×64 H.264 clip uploaded once, jobs ultrafast 240p at priority 0; after each step every job it submitted is canceled (POST /jobs/{id}/cancel: ${jobsCanceled} canceled, ${jobsCompleted} already final, i.e. worked by the workers during the step), so the workers (one slot per task) never carry a backlog into the next step. A submission is a SQLite write (WAL, one file shared by both api-prod tasks) and a poke of the task's own worker.`,
    "Direct is one of the two api-prod tasks, on its host port from DescribeTasks (networkBindings); through the load balancer the same rate is spread over both tasks, so the LB line has twice the backends and its own proxy hop.",
  );
  const path = await writeResult({
    scenario: "load-steps",
    ranAt: new Date(runStarted).toISOString(),
    machine: { cpus: cpus().length, loadAverage: loadavg(), node: process.version },
    streams: Object.fromEntries(
      series.map((s) => [s, latencyFigures(samples.filter((x) => x.stream === s))]),
    ),
    timeline: timeline(samples, origin, 1000),
    markers,
    figures: {
      ...passes,
      "threshold, ms": THRESHOLD_MS,
      "api-prod tasks at the start / end": `${tasksBefore} / ${tasksAfter}`,
      "jobs canceled after their step / already final": `${jobsCanceled} / ${jobsCompleted}`,
      "load generator CPU, max of a step, % of one core": maxGenerator,
    },
    notes,
    tables: [stepTable(rows, origin)],
  });
  console.log(`load-steps: ${rows.length} steps; results ${path}; ${JSON.stringify(passes)}`);
  return 0;
}

function stepTable(rows: StepRow[], origin: number): ResultTable {
  const v = (x: number | undefined) => (x === undefined ? "—" : x);
  return {
    title: "Per step (p50/p95/p99: sent → answered, ms)",
    columns: [
      "path",
      "rate /s",
      "t, s",
      "sent",
      "not sent",
      "failed",
      "failed as",
      "answered /s",
      "p50 ms",
      "p95 ms",
      "p99 ms",
      "lag p99 ms",
      "generator CPU %",
      "region CPU %",
      "api-prod tasks CPU %",
      "machine busy %",
      "region waiting for a core %",
    ],
    rows: rows.map((r) => [
      r.target,
      r.ratePerSecond,
      Math.round((r.startedAt - origin) / 100) / 10,
      r.sent,
      r.notSent,
      r.failures,
      r.failedAs ?? "",
      r.achievedPerSecond,
      v(r.p50Ms),
      v(r.p95Ms),
      v(r.p99Ms),
      v(r.lagP99Ms),
      r.generatorCpuPercent,
      v(r.regionCpuPercent),
      v(r.tasksCpuPercent),
      r.machineBusyPercent,
      v(r.regionWaitPercent),
    ]),
  };
}

/** The shots as the report's samples (absolute times), for its latency-over-time plot. */
function asSamples(stream: string, req: OpenLoopRequest, startedAt: number, run: StepRun): Sample[] {
  return run.shots.map((s) => ({
    stream,
    host: req.host,
    path: req.path,
    startedAt: startedAt + Math.round(s.sentMs),
    endedAt: startedAt + Math.round(s.endedMs),
    // The report's samples count a 200 as answered (load-summary.ts); a job's 201 is an answer too.
    status: s.error === undefined && s.status >= 200 && s.status < 400 ? 200 : s.status,
    body: "",
    ...(s.error !== undefined && { error: s.error }),
  }));
}

async function uploadTinyClip(port: number, key: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "load-steps-"));
  try {
    const file = join(dir, "tiny.mp4");
    execFileSync("ffmpeg", [
      ...[
        "-hide_banner",
        "-loglevel",
        "error",
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=64x64:rate=10:duration=0.2",
      ],
      ...["-c:v", "libx264", "-pix_fmt", "yuv420p", "-y", file],
    ]);
    const answer = await httpCall(port, {
      method: "PUT",
      host: PROD,
      path: "/api/v1/objects/in/tiny.mp4",
      headers: { authorization: `Bearer ${key}` },
      body: await readFile(file),
    });
    if (answer.status >= 300) throw new Error(`upload of the clip: ${answer.status} ${answer.body}`);
    return "objects://in/tiny.mp4";
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Cancels the step's jobs, 16 at a time: 200 canceled, 409 already final (COMPLETE, ERROR). */
async function cancelJobs(
  port: number,
  key: string,
  run: StepRun,
): Promise<{ canceled: number; final: number }> {
  const ids = run.shots.flatMap((s) => {
    if (s.status !== 201 || !s.body) return [];
    return (JSON.parse(s.body) as { jobid: string }[]).map((j) => j.jobid);
  });
  let canceled = 0;
  let final = 0;
  for (let i = 0; i < ids.length; i += 16) {
    const statuses = await Promise.all(
      ids.slice(i, i + 16).map(
        async (id) =>
          (
            await httpCall(port, {
              method: "POST",
              host: PROD,
              path: `/api/v1/jobs/${id}/cancel`,
              headers: { authorization: `Bearer ${key}` },
            })
          ).status,
      ),
    );
    canceled += statuses.filter((s) => s === 200).length;
    final += statuses.filter((s) => s === 409).length;
  }
  return { canceled, final };
}

function defined<K extends string>(key: K, value: number | undefined): Partial<Record<K, number>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, number>);
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(error.stack ?? error.message);
    process.exit(1);
  },
);
