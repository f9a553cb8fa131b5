import { cpus, loadavg } from "node:os";
import { waitFor } from "@platform/local-region/testing";
import { type Draw, type Kill, pick, readKills, seededDraw, victimServices } from "../src/chaos.js";
import { describeTasks, runningTasks } from "../src/ecs-tasks.js";
import { latencyFigures, timeline } from "../src/latency.js";
import { LbClient } from "../src/lb-client.js";
import { moreRequests, type Sample, startLoad } from "../src/load.js";
import { LocalRegionProcess, SERVICES } from "../src/region-process.js";
import { writeResult } from "../src/reliability-results.js";
import { isWhole } from "../src/service-recovery.js";
import { isAlive, kill9, taskPids } from "../src/task-process.js";
import {
  type JobClient,
  type JobRecord,
  jobClientsWithClip,
  jobsHitByKills,
  settleJobs,
  tallyJobs,
} from "../src/transcode-jobs.js";

// Issue 15, scenario 2 (full form): for two minutes, under HTTP load through the load balancer (qa and
// prod, API and media server, keep-alive and a new connection per request) and while transcoding jobs
// are submitted through it and worked on, one random task (api or media server, qa or prod) is killed
// -9 by PID every 15 s. Pass: per kill, the failed requests of the killed service ≤ its requests in
// flight at the kill; every service whole again (desired count, healthy targets) within the bound;
// every job submitted completes exactly once. `node test/dist/reliability/chaos.js` (CHAOS_SEED=n to
// repeat a run's victims); writes test/reliability/results/chaos.json; exit 0 only if all held.

const QA = "qa.localhost";
const PROD = "localhost";
const CHAOS_MS = 120_000;
const KILL_EVERY_MS = 15_000;
const JOB_EVERY_MS = 2_000;
// Both apps' health check: every 5 s, healthy after 2 (10 s), plus a task's start (the region sees
// the exit, starts a process, Node loads, the API migrates and starts its worker) on a busy 2-core
// machine, measured at 5–20 s in the short form: 45 s.
const RECOVERY_BOUND_MS = 5_000 * 2 + 35_000;
// qa runs 2 tasks per service here (1 in the spec): with one task a kill is an outage by design,
// which says nothing about failing over.
const QA_TASKS = 2;

/** The service a load stream's requests go to. */
const STREAMS: Record<string, string> = {
  "qa api keep-alive": "api-qa",
  "qa api new connection": "api-qa",
  "prod api keep-alive": "api-prod",
  "prod api new connection": "api-prod",
  "qa media": "media-server-qa",
  "prod media": "media-server-prod",
};

async function main(): Promise<number> {
  const seed = Number(process.env.CHAOS_SEED ?? Date.now() % 100_000);
  const draw = seededDraw(seed);
  const region = await LocalRegionProcess.start("reliability-chaos", {
    taskCounts: [
      { env: "qa", app: "api", count: QA_TASKS },
      { env: "qa", app: "media-server", count: QA_TASKS },
    ],
  });
  const keepAlive = new LbClient({ port: region.ports.http });
  const fresh = new LbClient({ port: region.ports.http, connections: "new" });
  try {
    return await chaos(region, keepAlive, fresh, seed, draw);
  } finally {
    keepAlive.close();
    fresh.close();
    await region.stop();
  }
}

async function chaos(
  region: LocalRegionProcess,
  keepAlive: LbClient,
  fresh: LbClient,
  seed: number,
  draw: Draw,
): Promise<number> {
  const clients = region.clients();
  const jobClients = await jobClientsWithClip(region);

  const loadStarted = Date.now();
  const load = startLoad(keepAlive, {
    streams: [
      { name: "qa api keep-alive", workers: 1, requests: [{ host: QA, path: "/api/v1/version" }] },
      {
        name: "qa api new connection",
        workers: 1,
        client: fresh,
        requests: [{ host: QA, path: "/healthz" }],
      },
      { name: "prod api keep-alive", workers: 2, requests: [{ host: PROD, path: "/api/v1/version" }] },
      {
        name: "prod api new connection",
        workers: 1,
        client: fresh,
        requests: [{ host: PROD, path: "/healthz" }],
      },
      { name: "qa media", workers: 1, requests: [{ host: QA, path: "/media/healthz" }] },
      { name: "prod media", workers: 1, client: fresh, requests: [{ host: PROD, path: "/media/healthz" }] },
    ],
    maxRequests: 200_000,
    maxMs: CHAOS_MS + 240_000,
    pauseMs: 10,
  });

  const jobs: JobRecord[] = [];
  const kills: Kill[] = [];
  const recoveries: Promise<void>[] = [];
  const stopCodes: Record<string, string> = {};
  let samples: Sample[] = [];
  let chaosEnded = 0;
  try {
    await waitFor("the load to be under way", async () => load.count() >= 100 || undefined, 30_000);
    const chaosStarted = Date.now();
    const submitting = submitJobs(jobClients, jobs, chaosStarted + CHAOS_MS);
    const order = victimServices(draw, SERVICES, Math.floor(CHAOS_MS / KILL_EVERY_MS));
    for (let i = 1; i <= order.length; i++) {
      await sleepUntil(chaosStarted + i * KILL_EVERY_MS);
      const kill = await killOne(region, order[i - 1] as string, draw);
      if (!kill) {
        console.log(`chaos: no task to kill at ${i * 15} s`);
        continue;
      }
      kills.push(kill);
      console.log(`chaos: kill ${kills.length} ${kill.service} ${kill.taskId} (PIDs ${kill.pids.join(" ")})`);
      recoveries.push(
        waitFor(
          `${kill.service} whole again`,
          async () => (await isWhole(clients, kill.service, kill.taskId)) || undefined,
          180_000,
          250,
        )
          .then(() => {
            kill.recoveredAt = Date.now();
            console.log(
              `chaos: ${kill.service} whole ${((kill.recoveredAt - kill.at) / 1000).toFixed(1)} s after kill`,
            );
          })
          .catch((e: Error) => console.log(`chaos: ${e.message}`)),
      );
    }
    await submitting;
    chaosEnded = Date.now();
    await Promise.all(recoveries);
    await moreRequests(load, 300, "requests after the last recovery", 60_000);
  } finally {
    samples = await load.stop();
  }
  await settleJobs(jobClients, jobs, Date.now() + 180_000);
  for (const kill of kills) {
    const [task] = await describeTasks(clients, [arns.get(kill.taskId) as string]).catch(() => []);
    stopCodes[kill.taskId] = `${task?.lastStatus ?? "?"} ${task?.stopCode ?? ""}`;
  }

  const { readings, unexplained } = readKills(samples, kills, (stream) => STREAMS[stream] ?? stream);
  const tally = tallyJobs(jobs);
  const hit = jobsHitByKills(
    jobs,
    kills.map((k) => k.taskId),
  );
  const since = (t: number) => (t - loadStarted) / 1000;
  const recoveredInTime = readings.every(
    (r) => r.recoverySeconds !== undefined && r.recoverySeconds * 1000 <= RECOVERY_BOUND_MS,
  );
  const checks = {
    "every kill: failures ≤ in flight on its service": readings.every((r) => r.barMet),
    "no failure a kill does not explain": unexplained.length === 0,
    "every service whole again within the bound": recoveredInTime,
    "every job submitted completed exactly once":
      tally.completed === tally.submitted && tally.duplicated === 0 && tally.lost === 0,
    "at least 6 kills": kills.length >= 6,
  };
  const failed = samples.filter((s) => s.status !== 200 || s.error);
  const path = await writeResult({
    scenario: "chaos",
    ranAt: new Date(loadStarted).toISOString(),
    machine: { cpus: cpus().length, loadAverage: loadavg(), node: process.version },
    streams: Object.fromEntries(
      Object.keys(STREAMS).map((name) => [name, latencyFigures(samples.filter((s) => s.stream === name))]),
    ),
    timeline: timeline(samples, loadStarted, 1000),
    markers: [
      ...kills.map((k) => ({ t: since(k.at), label: `kill ${k.service}` })),
      { t: since(chaosEnded), label: "chaos ends" },
    ],
    figures: {
      seed,
      kills: kills.length,
      ...Object.fromEntries(
        readings.map((r, i) => [
          `kill ${i + 1}: ${r.kill.service} ${r.kill.taskId.slice(0, 8)} at ${since(r.kill.at).toFixed(1)} s`,
          `whole again ${r.recoverySeconds?.toFixed(1) ?? "never"} s; in flight ${r.inFlight}, failed ${r.failures.length}${
            r.failures.length
              ? ` (${r.failures.map((f) => `+${f.startedAt - r.kill.at} ms → ${f.error ?? f.status}`).join(", ")})`
              : ""
          }; task ${stopCodes[r.kill.taskId]}`,
        ]),
      ),
      "recovery bound, s": RECOVERY_BOUND_MS / 1000,
      "recovery, s: slowest": Math.max(...readings.map((r) => r.recoverySeconds ?? Number.POSITIVE_INFINITY)),
      requests: samples.length,
      "failed requests": failed.length,
      "failures no kill explains": unexplained.length,
      "jobs submitted": tally.submitted,
      "jobs accepted": tally.accepted,
      "jobs completed exactly once": tally.completed,
      "jobs completed twice or more": tally.duplicated,
      "jobs lost": tally.lost,
      "jobs failed (ERROR)": tally.failed,
      "jobs started more than once": tally.pickedUpAgain,
      "jobs a killed task was working on (then finished by another)": `${hit.onKilledTask} (${hit.finishedElsewhere})`,
      "job submissions retried (no job in the answer)": tally.failedSubmits,
      ...Object.fromEntries(Object.entries(checks).map(([k, v]) => [`pass: ${k}`, v])),
    },
    notes: [
      `One task killed every ${KILL_EVERY_MS / 1000} s for ${CHAOS_MS / 1000} s, chosen with a seeded generator (seed ${seed}): the four services in a random order each round of four kills, then one of the service's running tasks; its container's processes found by the task id in their ECS_CONTAINER_METADATA_URI_V4 (/proc/<pid>/environ) and sent SIGKILL by PID. qa runs ${QA_TASKS} tasks per service (a spec-copy override; the spec's 1 would make every qa kill an outage by design).`,
      "A failed request is put on the newest kill of its own service before it ended; the bar compares a kill's failures with the requests of that service in flight at the kill (any of its tasks: the load balancer names no target, so the killed task's share can't be told apart).",
      "Whole again: the service's desired count of RUNNING tasks, the killed one not among them, each one's TCP port healthy in the service's target group (or its -green twin). The bound is the health check (5 s × 2) plus 35 s for a task's start on this machine.",
      "The bar can be missed by a request sent to the dead task's port in the few ms before the region sees the exit and deregisters the target: the load balancer answers it 502, as ALB does (it has no retry on another target). On AWS the same window exists, until the ECS agent reports the exit; what closes it is a client that retries a safe request.",
      "Jobs: a 2 s 320×240 clip, h264 240p ultrafast, submitted every 2 s alternately to qa and prod through the load balancer with a client token (a submission that got no job back is retried with the same token, so it can't create a second job). Exactly once: each job's event log (GET /api/v1/jobs/{id}) has one JobFinished and the job is COMPLETE. A job whose worker was killed is taken over by another worker when its lease (30 s) expires.",
    ],
  });
  console.log(`chaos: results ${path}`);
  console.log(JSON.stringify({ checks, tally, hit, unexplained: unexplained.slice(0, 5) }, null, 1));
  return Object.values(checks).every(Boolean) ? 0 : 1;
}

/** Killed tasks' ARNs by task id, for their stopped state afterwards. */
const arns = new Map<string, string>();

/** A random one of the service's running tasks; its processes killed -9 by PID. */
async function killOne(region: LocalRegionProcess, service: string, draw: Draw): Promise<Kill | undefined> {
  const candidates = (await runningTasks(region.clients(), service))
    .filter((t) => t.lastStatus === "RUNNING")
    .map((t) => ({ service, taskArn: t.taskArn as string, taskId: t.taskArn?.split("/").pop() as string }));
  const chosen = pick(draw, candidates);
  if (!chosen) return undefined;
  const { taskArn, ...victim } = chosen;
  arns.set(victim.taskId, taskArn);
  const pids = taskPids(victim.taskId);
  const at = Date.now();
  const signalled = kill9(pids);
  if (signalled.length === 0) return undefined;
  await waitFor(
    "the killed processes to be gone",
    async () => signalled.every((p) => !isAlive(p)) || undefined,
    10_000,
  );
  return { ...victim, at, pids: signalled };
}

/** A job every JOB_EVERY_MS, qa and prod in turn, until `until`. */
async function submitJobs(
  clients: Record<"qa" | "prod", JobClient>,
  jobs: JobRecord[],
  until: number,
): Promise<void> {
  const pending: Promise<void>[] = [];
  for (let i = 0; Date.now() < until; i++) {
    const env = i % 2 === 0 ? "prod" : "qa";
    const record: JobRecord = { env, token: `chaos-${Date.now()}-${i}`, failedSubmits: 0, events: [] };
    jobs.push(record);
    pending.push(clients[env].submit(record, "clip.mp4"));
    await sleepUntil(Date.now() + JOB_EVERY_MS);
  }
  await Promise.all(pending);
}

const sleepUntil = (t: number) => new Promise((r) => setTimeout(r, Math.max(0, t - Date.now())));

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: Error) => {
    console.error(`chaos: ${error.stack ?? error.message}`);
    process.exitCode = 1;
  },
);
