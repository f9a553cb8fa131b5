import { cpus, loadavg } from "node:os";
import {
  DescribeServiceDeploymentsCommand,
  DescribeServicesCommand,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import { sleep, waitFor } from "@platform/local-region/testing";
import { runningTasks, targetStates } from "../src/ecs-tasks.js";
import { registerLabelledRevision } from "../src/labelled-revision.js";
import { latencyFigures, timeline } from "../src/latency.js";
import { LbClient } from "../src/lb-client.js";
import { moreRequests, type Sample, startLoad } from "../src/load.js";
import { isFailure } from "../src/load-summary.js";
import { type Inventory, inventory, lost } from "../src/region-inventory.js";
import { CLUSTER, LocalRegionProcess, SERVICES } from "../src/region-process.js";
import { writeResult } from "../src/reliability-results.js";
import { latestServiceDeployment, shiftingService } from "../src/service-deployments.js";
import { isWhole } from "../src/service-recovery.js";
import {
  type JobClient,
  type JobRecord,
  jobClientsWithClip,
  settleJobs,
  tallyJobs,
} from "../src/transcode-jobs.js";

// Issue 15, scenario 3b (full form): api-prod BLUE_GREEN (a spec-copy override with a shortened bake),
// a new revision deployed with UpdateService under HTTP load and with transcoding jobs submitted; once
// the service deployment is in its bake (lifecycle stage BAKE_TIME: production already on green, blue
// kept for a fast undo) the region's process (`npm start`) is killed -9, then started again on the
// same state folder. Pass: the deploy ends SUCCESSFUL or ROLLBACK_* with one PRIMARY deployment, the
// production rules all on one target group whose targets are healthy; no task definition, image, log
// event up to the kill, metric, alarm or job lost; every job exactly once; the load fails only between
// the kill and the platform being whole again. `node test/dist/reliability/bg-bake-restart.js`.

const QA = "qa.localhost";
const PROD = "localhost";
const CLEAN_ENDS = ["SUCCESSFUL", "ROLLBACK_SUCCESSFUL", "ROLLBACK_FAILED"];
/** The bake: long enough to see it and kill the region inside it; ECS's own bake, capped locally to the same. */
const BAKE_MINUTES = 1;
const JOB_EVERY_MS = 2_000;

async function main(): Promise<number> {
  const region = await LocalRegionProcess.start("reliability-bg-bake-restart", {
    deployments: [
      { env: "prod", app: "api", deployment: { strategy: "BLUE_GREEN", bakeTimeInMinutes: BAKE_MINUTES } },
    ],
    maxDeploymentBakeSeconds: BAKE_MINUTES * 60,
  });
  const keepAlive = new LbClient({ port: region.ports.http });
  const fresh = new LbClient({ port: region.ports.http, connections: "new" });
  try {
    return await scenario(region, keepAlive, fresh);
  } finally {
    keepAlive.close();
    fresh.close();
    await region.stop();
  }
}

async function scenario(region: LocalRegionProcess, keepAlive: LbClient, fresh: LbClient): Promise<number> {
  const clients = region.clients();
  const jobClients = await jobClientsWithClip(region);
  const before = await describeService(region, "api-prod");
  const blueBefore = (await shiftingService(region, "api-prod")).blue;

  const loadStarted = Date.now();
  const load = startLoad(keepAlive, {
    streams: [
      { name: "qa", workers: 1, requests: [{ host: QA, path: "/api/v1/version" }] },
      { name: "prod keep-alive", workers: 2, requests: [{ host: PROD, path: "/api/v1/version" }] },
      {
        name: "prod new connection",
        workers: 1,
        client: fresh,
        requests: [{ host: PROD, path: "/healthz" }],
      },
    ],
    maxRequests: 200_000,
    maxMs: 480_000,
    pauseMs: 10,
  });
  const jobs: JobRecord[] = [];
  const moments = { deploy: 0, bake: 0, kill: 0, lbBack: 0, whole: 0, restarted: 0 };
  let samples: Sample[] = [];
  let deploymentArn = "";
  let revision = "";
  let atKill: Inventory | undefined;
  let stageAtKill = "";
  const submitting = { stop: false };
  try {
    await waitFor("the load to be under way", async () => load.count() >= 100 || undefined, 30_000);
    const submitted = submitJobs(jobClients, jobs, submitting);

    revision = await registerLabelledRevision(
      clients,
      before?.taskDefinition as string,
      `e2e-bg-bake-restart-${Date.now()}`,
    );
    moments.deploy = Date.now();
    await clients.ecs.send(
      new UpdateServiceCommand({ cluster: CLUSTER, service: "api-prod", taskDefinition: revision }),
    );
    const baking = await waitFor(
      "api-prod's service deployment in its bake (BAKE_TIME)",
      async () => {
        const sd = await latestServiceDeployment(clients, "api-prod");
        return sd?.targetServiceRevision?.arn &&
          sd.lifecycleStage === "BAKE_TIME" &&
          sd.status === "IN_PROGRESS"
          ? sd
          : undefined;
      },
      180_000,
      200,
    );
    moments.bake = Date.now();
    deploymentArn = baking.serviceDeploymentArn as string;
    // A few seconds into the bake, the jobs still coming.
    await sleep(3_000);
    submitting.stop = true;
    await submitted;
    atKill = await inventory(clients, Date.now());
    stageAtKill = (await latestServiceDeployment(clients, "api-prod"))?.lifecycleStage ?? "";
    moments.kill = Date.now();
    await region.kill9();
    // The platform back: the load balancer answering again (the load says), then every service whole.
    const back = watchBack(region, load, moments);
    await region.restart();
    moments.restarted = Date.now();
    await back;
    await moreRequests(load, 300, "requests after the restart", 60_000);
  } finally {
    submitting.stop = true;
    samples = await load.stop();
  }

  // The deploy's end, then what the region holds.
  const outcome = await waitFor(
    "the deploy to end",
    async () => {
      const out = await clients.ecs.send(
        new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [deploymentArn] }),
      );
      const sd = out.serviceDeployments?.[0];
      return sd && CLEAN_ENDS.includes(sd.status ?? "") ? sd : undefined;
    },
    240_000,
    500,
  ).catch(async () => {
    const out = await clients.ecs.send(
      new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [deploymentArn] }),
    );
    return out.serviceDeployments?.[0];
  });
  await settleJobs(jobClients, jobs, Date.now() + 180_000);
  const after = await describeService(region, "api-prod");
  const shift = await shiftingService(region, "api-prod").catch((e: Error) => e);
  const productionGroup = shift instanceof Error ? undefined : shift.blue;
  const groupName = productionGroup?.split("/")[1] ?? "";
  const targets = groupName ? await targetStates(clients, groupName) : [];
  const tasks = await runningTasks(clients, "api-prod");
  const afterInventory = await inventory(clients, moments.kill);
  const loss = lost(atKill as Inventory, afterInventory);
  const tally = tallyJobs(jobs);

  const failed = samples.filter(isFailure);
  const outside = failed.filter((s) => s.endedAt < moments.kill || s.startedAt > moments.whole);
  const refused = failed.filter((s) => s.error !== undefined);
  const whileLbDown = failed.filter((s) => s.startedAt <= moments.lbBack);
  const since = (t: number) => (t - loadStarted) / 1000;
  const expectedRevision = outcome?.status === "SUCCESSFUL" ? revision : before?.taskDefinition;
  const checks = {
    "the deploy ended cleanly (SUCCESSFUL or ROLLBACK_*)": CLEAN_ENDS.includes(outcome?.status ?? ""),
    "one PRIMARY deployment, no other":
      after?.deployments?.length === 1 && after.deployments[0]?.status === "PRIMARY",
    "the service runs the outcome's revision": after?.taskDefinition === expectedRevision,
    "production rules 100 % on one target group": !(shift instanceof Error),
    "that group's targets all healthy, one per task":
      targets.length === (after?.desiredCount ?? -1) && targets.every((t) => t.state === "healthy"),
    "running = desired": after?.runningCount === after?.desiredCount && tasks.length === after?.desiredCount,
    "no task definition, image, log event, metric or alarm lost":
      loss.taskDefinitions.length +
        loss.images.length +
        loss.logEvents.length +
        loss.metrics.length +
        loss.alarms.length ===
      0,
    "every job completed exactly once, none lost":
      tally.completed === tally.submitted && tally.duplicated === 0 && tally.lost === 0,
    "no failed request outside kill → platform whole again": outside.length === 0,
  };
  const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
  const path = await writeResult({
    scenario: "bg-bake-restart",
    ranAt: new Date(loadStarted).toISOString(),
    machine: { cpus: cpus().length, loadAverage: loadavg(), node: process.version },
    streams: Object.fromEntries(
      ["qa", "prod keep-alive", "prod new connection"].map((n) => [
        n,
        latencyFigures(samples.filter((s) => s.stream === n)),
      ]),
    ),
    timeline: timeline(samples, loadStarted, 1000),
    markers: [
      { t: since(moments.deploy), label: "UpdateService" },
      { t: since(moments.bake), label: "BAKE_TIME" },
      { t: since(moments.kill), label: "region kill -9" },
      { t: since(moments.lbBack), label: "load balancer back" },
      { t: since(moments.whole), label: "every service whole" },
    ],
    figures: {
      "deploy → BAKE_TIME, s": (moments.bake - moments.deploy) / 1000,
      "stage at the kill": stageAtKill,
      "BAKE_TIME → kill, s": (moments.kill - moments.bake) / 1000,
      "kill → load balancer answering again, s": (moments.lbBack - moments.kill) / 1000,
      "kill → every service whole (desired count, healthy targets), s": (moments.whole - moments.kill) / 1000,
      "kill → restart() returned (up and steady), s": (moments.restarted - moments.kill) / 1000,
      "deploy outcome": `${outcome?.status}${outcome?.statusReason ? ` (${outcome.statusReason})` : ""}`,
      "api-prod revision after": `${after?.taskDefinition?.split("/").pop()} (deployed ${revision.split("/").pop()}, before ${before?.taskDefinition?.split("/").pop()})`,
      "api-prod deployments after": (after?.deployments ?? [])
        .map((d) => `${d.status} ${d.rolloutState}`)
        .join(", "),
      "production group after (before)": `${groupName || String(shift)} (${blueBefore.split("/")[1]})`,
      "its targets": targets.map((t) => `${t.port} ${t.state}`).join(", "),
      "running / desired after": `${after?.runningCount} / ${after?.desiredCount}`,
      "task definitions before / after": `${atKill?.taskDefinitions.length} / ${afterInventory.taskDefinitions.length}`,
      "images before / after": `${atKill?.images.length} / ${afterInventory.images.length}`,
      "log events up to the kill before / after": `${sum(atKill?.logEvents ?? {})} / ${sum(afterInventory.logEvents)}`,
      "metric names before / after": `${atKill?.metrics.length} / ${afterInventory.metrics.length}`,
      "alarms before / after": `${Object.keys(atKill?.alarms ?? {}).length} / ${Object.keys(afterInventory.alarms).length}`,
      "alarm state changes": loss.alarmStateChanges.join("; ") || "none",
      "lost (task definitions, images, log groups short, metrics, alarms)": JSON.stringify({
        ...loss,
        alarmStateChanges: undefined,
      }),
      "jobs submitted (before the kill)": tally.submitted,
      "jobs completed exactly once": tally.completed,
      "jobs completed twice or more": tally.duplicated,
      "jobs lost": tally.lost,
      "jobs started more than once": tally.pickedUpAgain,
      requests: samples.length,
      "failed requests": failed.length,
      "of them: no answer (connection refused/reset)": refused.length,
      "of them: sent while the load balancer was down": whileLbDown.length,
      "of them: outside kill → every service whole": outside.length,
      ...Object.fromEntries(Object.entries(checks).map(([k, v]) => [`pass: ${k}`, v])),
    },
    notes: [
      `api-prod is BLUE_GREEN with a ${BAKE_MINUTES} min bake (spec-copy override; local.maxDeploymentBakeSeconds ${BAKE_MINUTES * 60}); the deploy is a new task definition revision with the same image (a docker label of its own), so npm start's own convergence on restart leaves it alone. The region is killed -9 ${((moments.kill - moments.bake) / 1000).toFixed(1)} s into BAKE_TIME (production on green, blue still running), then npm start runs again on the same state folder.`,
      "The load balancer runs in the region's process, so every request fails from the kill until it listens again; after that the restarted region stops the tasks the dead one left running (same PID and start time) and the services start new ones, so requests fail (503: no healthy target) until each service is whole again. Failures are asserted to lie inside kill → every service whole, and measured per phase.",
      "Jobs: a 2 s clip submitted every 2 s to qa and prod through the load balancer from the load's start until the kill; after the restart every one must have exactly one JobFinished in its event log and be COMPLETE. A job a task held at the kill is redone after its lease expires (the task was killed on restart).",
      "The outcome is the region's rule for a shift it finds open when it starts (infra/local services/ecs/model/blue-green.ts, afterRestart): every task died with the region, so blue is no more ready than green; the shift is rolled back (ROLLBACK_SUCCESSFUL, production rules back on blue's group, blue's tasks started again) unless it was already cleaning up, which it finishes.",
      "Alarm states are reported, not asserted: they follow the data, which stops while the region is down.",
    ],
  });
  console.log(`bg-bake-restart: results ${path}`);
  console.log(
    JSON.stringify({ checks, outcome: outcome?.status, tally, loss, outside: outside.slice(0, 5) }, null, 1),
  );
  return Object.values(checks).every(Boolean) ? 0 : 1;
}

/** Fills moments.lbBack (first answer after the kill) and moments.whole (every service whole). */
async function watchBack(
  region: LocalRegionProcess,
  load: { samples(): readonly Sample[] },
  moments: { kill: number; lbBack: number; whole: number },
): Promise<void> {
  const lb = waitFor(
    "an answer through the load balancer after the kill",
    async () => load.samples().find((s) => s.startedAt > moments.kill && s.status > 0)?.startedAt,
    240_000,
    100,
  ).then((t) => {
    moments.lbBack = t;
  });
  await waitFor(
    "every service whole after the restart",
    async () => {
      for (const service of SERVICES)
        if (!(await isWhole(region.clients(), service, "-").catch(() => false))) return undefined;
      return true;
    },
    300_000,
    500,
  );
  moments.whole = Date.now();
  await lb;
}

async function describeService(region: LocalRegionProcess, name: string) {
  const out = await region
    .clients()
    .ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [name] }));
  return out.services?.[0];
}

/** A job every JOB_EVERY_MS, prod and qa in turn, until told to stop. */
async function submitJobs(
  clients: Record<"qa" | "prod", JobClient>,
  jobs: JobRecord[],
  submitting: { stop: boolean },
): Promise<void> {
  const pending: Promise<void>[] = [];
  for (let i = 0; !submitting.stop && i < 500; i++) {
    const env = i % 2 === 0 ? "prod" : "qa";
    const record: JobRecord = { env, token: `bg-bake-${Date.now()}-${i}`, failedSubmits: 0, events: [] };
    jobs.push(record);
    pending.push(clients[env].submit(record, "clip.mp4"));
    await sleep(JOB_EVERY_MS);
  }
  await Promise.all(pending);
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: Error) => {
    console.error(`bg-bake-restart: ${error.stack ?? error.message}`);
    process.exitCode = 1;
  },
);
