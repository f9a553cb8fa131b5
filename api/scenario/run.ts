import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { CloudWatchClient, GetMetricStatisticsCommand } from "@aws-sdk/client-cloudwatch";
import { DescribeServicesCommand, ECSClient } from "@aws-sdk/client-ecs";
import { Command, InvalidArgumentError } from "commander";
import type { JobEvent } from "../src/model/job.js";
import { CATALOGUE, clipArgs } from "./catalogue.js";
import { DEFAULT_OPTIONS, type PlannedJob, planScenario, type ScenarioOptions } from "./plan.js";
import { call, type Target, targetFor } from "./target.js";
import type { FleetSample, RecordedJob } from "./timeline.js";

// npm run scenario -- -n N: the earlier dacirco_scenario. Submits N planned jobs to the local platform
// through its load balancer, samples the fleet while they run, and records each job's event log for
// `npm run scenario:report`. Bounded: it stops waiting at --timeout-minutes and says what was left.

const SAMPLE_MS = 5000;

type WireEvent = Omit<JobEvent, "ts"> & { ts: string };
const FINAL = new Set(["COMPLETE", "ERROR", "CANCELED"]);

interface RunOptions {
  jobs: number;
  meanGap: number;
  gapDeviation: number;
  bitrates: [number, number];
  seed: number;
  env: "qa" | "prod";
  url: string;
  host?: string;
  key?: string;
  stateDir: string;
  region: string;
  cluster: string;
  timeoutMinutes?: number;
  out?: string;
  clips?: string[];
}

const number = (what: string) => (text: string) => {
  const n = Number(text);
  if (!Number.isFinite(n)) throw new InvalidArgumentError(`${what} must be a number, got "${text}"`);
  return n;
};

function parseArgs(argv: string[]): RunOptions {
  const program = new Command("scenario")
    .description("submit a planned load of transcoding jobs to the local platform and record it")
    .option("-n, --jobs <n>", "jobs to submit", number("-n"), DEFAULT_OPTIONS.jobs)
    .option(
      "--mean-gap <s>",
      "mean seconds between submissions (Gaussian)",
      number("--mean-gap"),
      DEFAULT_OPTIONS.meanGapSeconds,
    )
    .option(
      "--gap-deviation <s>",
      "standard deviation of the gap",
      number("--gap-deviation"),
      DEFAULT_OPTIONS.gapDeviationSeconds,
    )
    .option(
      "--bitrates <min-max>",
      "Mb/s, uniform",
      (t: string) => {
        const m = /^(\d+)-(\d+)$/.exec(t);
        if (!m) throw new InvalidArgumentError(`--bitrates must look like 1-4, got "${t}"`);
        return [Number(m[1]), Number(m[2])];
      },
      [...DEFAULT_OPTIONS.bitrates],
    )
    .option(
      "--seed <n>",
      "seed of the plan: the same seed, the same jobs",
      number("--seed"),
      DEFAULT_OPTIONS.seed,
    )
    .option(
      "--env <env>",
      "qa or prod",
      (t: string) => {
        if (t !== "qa" && t !== "prod")
          throw new InvalidArgumentError(`--env must be qa or prod, got "${t}"`);
        return t;
      },
      "prod",
    )
    .option("--url <url>", "the local load balancer", "http://127.0.0.1:8080")
    .option("--host <host>", "Host header (default: localhost for prod, qa.localhost for qa)")
    .option("--key <key>", "API key (default: the environment's from .local-region/api-keys.json)")
    .option("--state-dir <dir>", "the local region's state", ".local-region")
    .option("--region <url>", "the local region's AWS endpoint", "http://127.0.0.1:4566")
    .option("--cluster <name>", "ECS cluster", "platform")
    .option(
      "--timeout-minutes <m>",
      "stop waiting after this long (default: the plan's span + 10)",
      number("--timeout-minutes"),
    )
    .option("--out <dir>", "where to write the run (default: scenario-runs/<time>)")
    .option(
      "--clips <names>",
      `only these clips of the catalogue (comma list of ${CATALOGUE.map((c) => c.name).join(", ")})`,
      (t: string) => {
        const names = t.split(",").map((n) => n.trim());
        const unknown = names.filter((n) => !CATALOGUE.some((c) => c.name === n));
        if (unknown.length) throw new InvalidArgumentError(`no clip ${unknown.join(", ")} in the catalogue`);
        return names;
      },
    )
    .showHelpAfterError();
  program.parse(argv, { from: "user" });
  return program.opts<RunOptions>();
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const scenario: ScenarioOptions = {
    ...DEFAULT_OPTIONS,
    jobs: opts.jobs,
    meanGapSeconds: opts.meanGap,
    gapDeviationSeconds: opts.gapDeviation,
    bitrates: opts.bitrates,
    seed: opts.seed,
    catalogue: opts.clips ? CATALOGUE.filter((c) => opts.clips!.includes(c.name)) : CATALOGUE,
  };
  const plan = planScenario(scenario);
  const target = targetFor({ ...opts, stateDir: resolve(opts.stateDir) });
  const out = resolve(
    opts.out ?? join("scenario-runs", new Date().toISOString().replaceAll(":", "-").slice(0, 19)),
  );
  mkdirSync(out, { recursive: true });
  const service = `api-${opts.env}`;
  const fleet = fleetClients(opts.region, resolve(opts.stateDir));
  const budgetMs = (opts.timeoutMinutes ?? plan.at(-1)!.atSeconds / 60 + 10) * 60_000;
  const runId = `${Date.now().toString(36)}`;

  await uploadCatalogue(target, out, new Set(plan.map((j) => j.clip)));
  const started = Date.now();
  writeFileSync(
    join(out, "run.json"),
    JSON.stringify({ scenario, env: opts.env, service, host: target.host, started, plan }, null, 2),
  );

  const jobs: RecordedJob[] = plan.map((planned) => ({ planned, jobid: null, events: [] }));
  const samples: FleetSample[] = [];
  const status = new Map<string, string>();
  const sampler = setInterval(
    () => void sample(target, fleet, opts.cluster, service).then((s) => samples.push(s)),
    SAMPLE_MS,
  );
  const progress = setInterval(() => showProgress(jobs, status, samples.at(-1), started), 2000);
  try {
    // Statuses are followed from the first submission on, so the progress line counts as jobs end.
    const submitting = { done: false };
    const watching = waitForAll(target, jobs, status, started + budgetMs, submitting);
    await submitAll(target, jobs, started, runId, started + budgetMs);
    submitting.done = true;
    await watching;
  } finally {
    clearInterval(sampler);
    clearInterval(progress);
  }
  showProgress(jobs, status, samples.at(-1), started);
  process.stdout.write("\n");
  for (const job of jobs) {
    if (!job.jobid) continue;
    const answer = await call<{ events: WireEvent[] }>(target, "GET", `/api/v1/jobs/${job.jobid}`);
    // On the wire `ts` is ISO 8601; the report computes in milliseconds.
    job.events = answer.status === 200 ? answer.body.events.map((e) => ({ ...e, ts: Date.parse(e.ts) })) : [];
  }
  writeFileSync(join(out, "jobs.json"), JSON.stringify(jobs, null, 1));
  writeFileSync(join(out, "samples.json"), JSON.stringify(samples, null, 1));
  const unfinished = jobs.filter((j) => j.jobid && !FINAL.has(status.get(j.jobid) ?? ""));
  console.log(
    `run written to ${out}${unfinished.length ? ` (${unfinished.length} jobs still unfinished at the time limit)` : ""}`,
  );
  console.log(`report: npm run scenario:report -- ${out}`);
  if (unfinished.length > 0) process.exitCode = 1;
}

async function uploadCatalogue(target: Target, out: string, used: Set<string>): Promise<void> {
  const clipsDir = join(out, "clips");
  mkdirSync(clipsDir, { recursive: true });
  for (const clip of CATALOGUE.filter((c) => used.has(c.name))) {
    const path = join(clipsDir, clip.name);
    if (!existsSync(path)) execFileSync("ffmpeg", clipArgs(clip, path), { stdio: "inherit" });
    const answer = await call(target, "PUT", `/api/v1/objects/scenario/${clip.name}`, readFileSync(path));
    if (answer.status >= 300)
      throw new Error(`uploading ${clip.name}: HTTP ${answer.status} ${JSON.stringify(answer.body)}`);
  }
}

async function submitAll(
  target: Target,
  jobs: RecordedJob[],
  started: number,
  runId: string,
  deadline: number,
): Promise<void> {
  for (const job of jobs) {
    const due = started + job.planned.atSeconds * 1000;
    if (due > deadline) break;
    await sleep(due - Date.now());
    job.jobid = await submit(target, job.planned, `scenario-${runId}-${job.planned.index}`).catch(
      (e: Error) => {
        job.submitError = e.message;
        return null;
      },
    );
  }
}

/** Retried with the same client token on a transient error: the API answers a retry with the same job. */
async function submit(target: Target, planned: PlannedJob, token: string): Promise<string> {
  const body = {
    input: `objects://scenario/${planned.clip}`,
    output: "objects://scenario-out/",
    clientRequestToken: token,
    profile: {
      ffmpeg: {
        codec: "h264",
        scale: planned.scale,
        bitrate: planned.bitrate,
        profile: "quality",
        speed: planned.speed,
      },
    },
  };
  for (let attempt = 1; ; attempt++) {
    const answer = await call<{ jobid: string }[]>(target, "POST", "/api/v1/jobs", body).catch(
      (e: Error) => ({ status: 0, body: e.message }),
    );
    if (answer.status === 200 || answer.status === 201) return (answer.body as { jobid: string }[])[0]!.jobid;
    if ((answer.status !== 0 && answer.status < 500) || attempt === 3)
      throw new Error(`HTTP ${answer.status}: ${JSON.stringify(answer.body)}`);
    await sleep(500 * attempt);
  }
}

async function waitForAll(
  target: Target,
  jobs: RecordedJob[],
  status: Map<string, string>,
  deadline: number,
  submitting: { done: boolean },
): Promise<void> {
  while (Date.now() < deadline) {
    const open = jobs.filter((j) => j.jobid && !FINAL.has(status.get(j.jobid) ?? ""));
    if (open.length === 0 && submitting.done) return;
    for (const job of open) {
      const answer = await call<{ job: { status: string } }>(
        target,
        "GET",
        `/api/v1/jobs/${job.jobid}`,
      ).catch(() => undefined);
      if (answer?.status === 200) status.set(job.jobid!, answer.body.job.status);
    }
    await sleep(1000);
  }
}

interface Fleet {
  ecs: ECSClient;
  cloudwatch: CloudWatchClient;
}

function fleetClients(endpoint: string, stateDir: string): Fleet {
  // The region writes its generated key in shared-credentials format, profile "local".
  process.env.AWS_SHARED_CREDENTIALS_FILE ??= join(stateDir, "credentials");
  const config = { endpoint, region: "eu-west-1", profile: "local", maxAttempts: 2 };
  return { ecs: new ECSClient(config), cloudwatch: new CloudWatchClient(config) };
}

async function sample(target: Target, fleet: Fleet, cluster: string, service: string): Promise<FleetSample> {
  const t = Date.now();
  const [workers, queues, described, cpu, memory] = await Promise.all([
    call<{ workers: { state: string }[] }>(target, "GET", "/api/v1/workers").catch(() => undefined),
    call<{ queues: { depth: number }[] }>(target, "GET", "/api/v1/worker/queues").catch(() => undefined),
    fleet.ecs.send(new DescribeServicesCommand({ cluster, services: [service] })).catch(() => undefined),
    latestMetric(fleet, cluster, service, "CPUUtilization", t),
    latestMetric(fleet, cluster, service, "MemoryUtilization", t),
  ]);
  const states = workers?.status === 200 ? workers.body.workers.map((w) => w.state) : [];
  const svc = described?.services?.[0];
  return {
    t,
    desired: svc?.desiredCount ?? null,
    running: svc?.runningCount ?? null,
    busyWorkers: states.filter((s) => s === "Busy").length,
    liveWorkers: states.filter((s) => s !== "Stopped").length,
    queueDepth: queues?.status === 200 ? queues.body.queues.reduce((n, q) => n + q.depth, 0) : null,
    cpuPercent: cpu,
    memoryPercent: memory,
  };
}

async function latestMetric(
  fleet: Fleet,
  cluster: string,
  service: string,
  metric: string,
  now: number,
): Promise<number | null> {
  const answer = await fleet.cloudwatch
    .send(
      new GetMetricStatisticsCommand({
        Namespace: "AWS/ECS",
        MetricName: metric,
        Dimensions: [
          { Name: "ClusterName", Value: cluster },
          { Name: "ServiceName", Value: service },
        ],
        StartTime: new Date(now - 60_000),
        EndTime: new Date(now),
        Period: 60,
        Statistics: ["Average"],
      }),
    )
    .catch(() => undefined);
  const points = (answer?.Datapoints ?? []).sort(
    (a, b) => (b.Timestamp?.getTime() ?? 0) - (a.Timestamp?.getTime() ?? 0),
  );
  return points[0]?.Average ?? null;
}

let lastShown = { what: "", at: 0 };

/** One line, rewritten on a terminal; in a log, a line when something changed or every 30 s. */
function showProgress(
  jobs: RecordedJob[],
  status: Map<string, string>,
  last: FleetSample | undefined,
  started: number,
): void {
  const submitted = jobs.filter((j) => j.jobid).length;
  const count = (s: string) => [...status.values()].filter((v) => v === s).length;
  const what =
    `submitted ${submitted}/${jobs.length}  running ${count("PROGRESSING")}  complete ${count("COMPLETE")}` +
    `  failed ${count("ERROR")}  queue ${last?.queueDepth ?? "?"}  busy ${last?.busyWorkers ?? "?"}` +
    `  tasks ${last?.running ?? "?"}/${last?.desired ?? "?"}`;
  const line = `[scenario ${Math.round((Date.now() - started) / 1000)} s] ${what}`;
  if (process.stdout.isTTY) {
    process.stdout.write(`\r${line}\u001b[K`);
  } else if (what !== lastShown.what || Date.now() - lastShown.at > 30_000) {
    process.stdout.write(`${line}\n`);
    lastShown = { what, at: Date.now() };
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

main().catch((e: Error) => {
  console.error(`scenario: ${e.message}`);
  process.exitCode = 1;
});
