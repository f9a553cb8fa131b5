import { writeFile } from "node:fs/promises";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { DescribeRepositoriesCommand } from "@aws-sdk/client-ecr";
import {
  DescribeServiceDeploymentsCommand,
  DescribeServicesCommand,
  ListTasksCommand,
  type ServiceDeployment,
} from "@aws-sdk/client-ecs";
import { confirmationLink, type Mail, readOutbox, waitFor } from "@platform/local-region/testing";
import {
  type DeployExpectation,
  type DeployObservation,
  type DeployVerdict,
  isFinished,
  judgeDeploy,
  loadProblems,
  prodProblems,
  verdictFigures,
} from "../src/bad-deploys.js";
import { type BrokenKind, missingImageUri, pushBrokenImage } from "../src/broken-images.js";
import { ecsCli } from "../src/ecs-cli.js";
import { describeTasks, runningTasks } from "../src/ecs-tasks.js";
import { latencyFigures, timeline } from "../src/latency.js";
import { LbClient } from "../src/lb-client.js";
import { moreRequests, type Sample, startLoad } from "../src/load.js";
import { commitOf } from "../src/load-summary.js";
import { CLUSTER, LocalRegionProcess, type RegionClients } from "../src/region-process.js";
import { RESULTS_DIR, writeResult } from "../src/reliability-results.js";
import { latestServiceDeployment } from "../src/service-deployments.js";

// Issue 15, scenario 4: five bad releases of api-qa in a row with the real `ecs deploy`, under a
// steady load on qa and prod through the load balancer. Each must roll back by itself, qa keep
// answering the old version without a failed request, and prod stay exactly as it was. Writes
// test/reliability/results/bad-deploys.json; exits 0 only when every condition held.

const SCENARIO = "bad-deploys";
const QA = "qa.localhost";
const PROD = "localhost";
const SERVICE = "api-qa";
const CONTAINER = "api";
const CONTAINER_PORT = 3000;
const RECIPIENT = "platform-team@example.com";
/** `ecs deploy --timeout`: a crash loop or a never-healthy task reaches the circuit breaker well before. */
const DEPLOY_TIMEOUT_S = 240;
/** The whole run, region start included: past it the script stops what it started and fails. */
const RUN_LIMIT_MS = 20 * 60_000;

// The spec's api-qa deployment (qa's BLUE_GREEN), with one addition: a PAUSE hook after test traffic
// moves to green, so a version that answers 5xx is seen on the test listener by the deployment
// alarms before any production request reaches it. Nobody continues it here: the alarm rolls back,
// else `ecs deploy --timeout` does. (No hook timeout: npm start drops the spec's, so ECS's 60 min holds.)
const QA_DEPLOYMENT = {
  strategy: "BLUE_GREEN" as const,
  bakeTimeInMinutes: 1,
  lifecycleHooks: [{ targetType: "PAUSE" as const, lifecycleStages: ["POST_TEST_TRAFFIC_SHIFT" as const] }],
};

interface BadDeploy {
  name: string;
  /** Its label on the plots. */
  short: string;
  image: (repositoryUri: string) => Promise<string>;
  expect: DeployExpectation;
}

async function main(): Promise<number> {
  const deadline = Date.now() + RUN_LIMIT_MS;
  const region = await LocalRegionProcess.start("reliability-bad-deploys", {
    deployments: [{ env: "qa", app: "api", deployment: QA_DEPLOYMENT }],
    maxDeploymentBakeSeconds: 20,
  });
  const keepAlive = new LbClient({ port: region.ports.http });
  const fresh = new LbClient({ port: region.ports.http, connections: "new" });
  const testListener = new LbClient({ port: region.ports.testHttp });
  try {
    return await run(region, { keepAlive, fresh, testListener }, deadline);
  } finally {
    keepAlive.close();
    fresh.close();
    testListener.close();
    await region.stop();
  }
}

async function run(
  region: LocalRegionProcess,
  lb: { keepAlive: LbClient; fresh: LbClient; testListener: LbClient },
  deadline: number,
): Promise<number> {
  const clients = region.clients();
  await confirmQaSubscription(region);
  const version = await lb.keepAlive.get({ host: QA, path: "/api/v1/version" });
  const oldCommit = JSON.parse(version.body).commit as string;
  const prodBefore = await serviceState(clients, "api-prod");

  const push = (kind: BrokenKind) => async (repositoryUri: string) => {
    const pushed = await pushBrokenImage(clients.ecr, SERVICE, kind, CONTAINER_PORT);
    if (!pushed.imageUri.startsWith(repositoryUri)) throw new Error(`pushed to ${pushed.imageUri}`);
    return pushed.imageUri;
  };
  const deploys: BadDeploy[] = [
    {
      name: "crash at start",
      short: "crash",
      image: push("crash"),
      expect: { cause: /Essential container in task exited/, startsDeployment: true },
    },
    {
      name: "never healthy",
      short: "unhealthy",
      image: push("unhealthy"),
      expect: { cause: /health checks?/i, startsDeployment: true },
    },
    {
      name: "answers 5xx",
      short: "5xx",
      image: push("5xx"),
      expect: { cause: /^api-qa(-green)?-(5xx|error-logs)$/, startsDeployment: true },
    },
    {
      name: "missing image, ECR tag never pushed",
      short: "no tag",
      image: async (repositoryUri) => `${repositoryUri}:never-pushed`,
      expect: { cause: /image not found, nothing was changed/, startsDeployment: false },
    },
    {
      name: "missing image, outside ECR",
      short: "no image",
      image: async () => missingImageUri(SERVICE),
      expect: { cause: /CannotPullContainerError/, startsDeployment: true },
    },
    {
      name: "out of memory",
      short: "OOM",
      image: push("oom"),
      expect: { cause: /OutOfMemoryError/, startsDeployment: true },
    },
  ];
  const repositories = await clients.ecr.send(
    new DescribeRepositoriesCommand({ repositoryNames: [SERVICE] }),
  );
  const repositoryUri = repositories.repositories?.[0]?.repositoryUri as string;
  const images: string[] = [];
  for (const d of deploys) images.push(await d.image(repositoryUri));

  const qaStreams = ["qa keep-alive", "qa new connection"];
  const prodStreams = ["prod keep-alive"];
  const loadStarted = Date.now();
  const load = startLoad(lb.keepAlive, {
    streams: [
      { name: "qa keep-alive", workers: 2, requests: [{ host: QA, path: "/api/v1/version" }] },
      {
        name: "qa new connection",
        workers: 1,
        client: lb.fresh,
        requests: [{ host: QA, path: "/healthz" }],
      },
      { name: "prod keep-alive", workers: 1, requests: [{ host: PROD, path: "/api/v1/version" }] },
      // The qa team's synthetic checks on the test listener: what green answers before production moves.
      {
        name: "qa test listener",
        workers: 1,
        client: lb.testListener,
        requests: [{ host: QA, path: "/api/v1/version" }],
      },
    ],
    maxRequests: 2_000_000,
    maxMs: deadline - Date.now(),
    pauseMs: 20,
  });
  const markers: { t: number; label: string }[] = [];
  const mark = (at: number, label: string) => markers.push({ t: (at - loadStarted) / 1000, label });
  const verdicts: DeployVerdict[] = [];
  const seen: DeployObservation[] = [];
  let samples: Sample[] = [];
  try {
    await moreRequests(load, 200, "the load to be under way");
    for (const [i, d] of deploys.entries()) {
      if (Date.now() > deadline - 4 * 60_000) throw new Error(`out of time before deploy ${i + 1}`);
      const observation = await badDeploy(region, d.name, images[i] as string, (at, moment) =>
        mark(at, `${i + 1} ${moment === "deploy" ? d.short : "rolled back"}`),
      );
      seen.push(observation);
      console.log(
        `${i + 1}. ${d.name}: exit ${observation.exitCode}, ${observation.serviceDeploymentStatus ?? "no service deployment"}, ` +
          `${observation.rolledBackAt ? ((observation.rolledBackAt - observation.startedAt) / 1000).toFixed(1) : "?"} s; ` +
          `${observation.stoppedReasons[0] ?? ""} ${observation.triggeredAlarms.join(" ")}`,
      );
      // Traffic between deploys: the old version answers on, shown rather than assumed.
      await moreRequests(load, 100, `requests after deploy ${i + 1}`);
    }
  } finally {
    samples = await load.stop();
  }
  for (const [i, d] of deploys.entries()) verdicts.push(judgeDeploy(seen[i]!, d.expect, samples));

  const prodAfter = await serviceState(clients, "api-prod");
  const alarmDeploy = seen.find((s) => s.triggeredAlarms.length > 0);
  const alarmMail = alarmDeploy ? await alarmEmail(region, alarmDeploy.triggeredAlarms) : undefined;
  const problems = [
    ...verdicts.flatMap((v) => v.problems.map((p) => `${v.name}: ${p}`)),
    ...loadProblems(samples, { qa: qaStreams, prod: prodStreams }, oldCommit),
    ...prodProblems(prodBefore, prodAfter),
    ...(alarmMail ? [] : ["no ALARM e-mail in the outbox for the 5xx deploy's alarm"]),
  ];

  const streams = Object.fromEntries(
    [...new Set(samples.map((s) => s.stream))].map((name) => [
      name,
      latencyFigures(samples.filter((s) => s.stream === name)),
    ]),
  );
  const qaCommits = [...new Set(samples.filter((s) => qaStreams.includes(s.stream)).map(commitOf))].filter(
    Boolean,
  );
  await writeFile(
    join(RESULTS_DIR, `${SCENARIO}-cli.log`),
    seen.map((o, i) => `=== ${i + 1}. ${o.name}: ecs deploy exit ${o.exitCode}\n${o.output}`).join("\n"),
  );
  const path = await writeResult({
    scenario: SCENARIO,
    ranAt: new Date(loadStarted).toISOString(),
    machine: { cpus: cpus().length, loadAverage: loadavg(), node: process.version },
    streams,
    // Only production traffic: the test listener's stream meets the broken versions by design.
    timeline: timeline(
      samples.filter((s) => s.stream !== "qa test listener"),
      loadStarted,
      1000,
    ),
    markers,
    figures: {
      ...Object.assign({}, ...verdicts.map((v, i) => verdictFigures(i, v))),
      "qa answered by commit(s)": qaCommits.join(", "),
      "api-qa revision before / after every deploy": [
        ...new Set(seen.flatMap((o) => [o.revisionBefore, o.revisionAfter])),
      ].join(", "),
      "whole run (npm start included), s": Math.round(process.uptime()),
      "api-prod revision before / after": `${prodBefore.revision} / ${prodAfter.revision}`,
      "api-prod tasks before / after (same ARNs)": `${prodBefore.taskArns.length} / ${prodAfter.taskArns.length} (${prodProblems(prodBefore, prodAfter).length === 0})`,
      "alarm e-mail in the outbox": alarmMail ? `${alarmMail.subject} (${alarmMail.file})` : "none",
      "every condition held": problems.length === 0,
    },
    notes: notes(problems),
  });
  console.log(`${SCENARIO}: ${samples.length} requests; results ${path}`);
  for (const p of problems) console.error(`FAILED: ${p}`);
  return problems.length === 0 ? 0 : 1;
}

/** One `ecs deploy` of a bad image to api-qa, followed until api-qa is steady on its old revision. */
async function badDeploy(
  region: LocalRegionProcess,
  name: string,
  image: string,
  mark: (at: number, moment: "deploy" | "rolled back") => void,
): Promise<DeployObservation> {
  const clients = region.clients();
  const revisionBefore = (await serviceState(clients, SERVICE)).revision;
  const sdBefore = (await latestServiceDeployment(clients, SERVICE))?.serviceDeploymentArn;
  const startedAt = Date.now();
  mark(startedAt, "deploy");
  const cli = await ecsCli(
    region,
    ["deploy", CLUSTER, SERVICE, "-i", CONTAINER, image, "--timeout", String(DEPLOY_TIMEOUT_S)],
    (DEPLOY_TIMEOUT_S + 180) * 1000,
  );
  const sd = await latestServiceDeployment(clients, SERVICE);
  const mine = sd && sd.serviceDeploymentArn !== sdBefore ? await settled(clients, sd) : undefined;
  await region.waitUntilSteady([SERVICE], 120_000);
  const revisionAfter = (await serviceState(clients, SERVICE)).revision;
  // ECS's own end of the rollback when it ran one; else the CLI's refusal.
  const rolledBackAt =
    revisionAfter === revisionBefore ? (mine?.finishedAt?.getTime() ?? startedAt + cli.elapsedMs) : undefined;
  if (rolledBackAt) mark(rolledBackAt, "rolled back");
  return {
    name,
    startedAt,
    rolledBackAt,
    exitCode: cli.code ?? -1,
    output: cli.output,
    serviceDeploymentStatus: mine?.status,
    stoppedReasons: await stoppedReasonsSince(clients, startedAt, revisionBefore),
    revisionBefore,
    revisionAfter,
    triggeredAlarms: mine?.alarms?.triggeredAlarmNames ?? [],
  };
}

/** The service deployment once it has finished (a rollback the CLI did not wait out is waited for here). */
async function settled(clients: RegionClients, sd: ServiceDeployment): Promise<ServiceDeployment> {
  return waitFor(
    `${SERVICE}'s service deployment to finish`,
    async () => {
      const out = await clients.ecs.send(
        new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [sd.serviceDeploymentArn as string] }),
      );
      const now = out.serviceDeployments?.[0];
      return now && isFinished(now.status) ? now : undefined;
    },
    120_000,
    500,
  );
}

async function stoppedReasonsSince(
  clients: RegionClients,
  since: number,
  revisionBefore: string,
): Promise<string[]> {
  const list = await clients.ecs.send(
    new ListTasksCommand({ cluster: CLUSTER, serviceName: SERVICE, desiredStatus: "STOPPED" }),
  );
  const tasks = await describeTasks(clients, list.taskArns ?? []);
  return tasks
    .filter((t) => (t.createdAt?.getTime() ?? 0) >= since - 1000 && t.taskDefinitionArn !== revisionBefore)
    .map((t) => t.stoppedReason ?? t.stopCode ?? "")
    .filter(Boolean);
}

async function serviceState(
  clients: RegionClients,
  service: string,
): Promise<{ revision: string; taskArns: string[] }> {
  const out = await clients.ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [service] }));
  const revision = (out.services?.[0]?.taskDefinition ?? "").split("/").pop() ?? "";
  const tasks = await runningTasks(clients, service);
  return { revision, taskArns: tasks.map((t) => t.taskArn as string) };
}

/** As on AWS, the recipient confirms the qa alarm subscription from its e-mail before alarms reach them. */
async function confirmQaSubscription(region: LocalRegionProcess): Promise<void> {
  const confirmation = await waitForMail(
    region,
    "the qa subscription confirmation",
    (m) => /Subscription Confirmation/.test(m.subject) && m.body.includes("platform-alarm-emails-qa"),
    60_000,
  );
  const confirmed = await fetch(confirmationLink(confirmation));
  if (confirmed.status !== 200) throw new Error(`confirming the subscription answered ${confirmed.status}`);
}

async function alarmEmail(region: LocalRegionProcess, alarms: string[]): Promise<Mail | undefined> {
  return waitForMail(
    region,
    `the ALARM e-mail for ${alarms.join(" or ")}`,
    (m) => m.subject.includes("ALARM") && alarms.some((a) => m.subject.includes(a)),
    60_000,
  ).catch(() => undefined);
}

function waitForMail(
  region: LocalRegionProcess,
  what: string,
  match: (m: Mail) => boolean,
  timeoutMs: number,
): Promise<Mail> {
  return waitFor(
    what,
    async () => readOutbox(region.stateDir).find((m) => m.to === RECIPIENT && match(m)),
    timeoutMs,
    1000,
  );
}

function notes(problems: string[]): string[] {
  return [
    "Asserted (exit code 0 only if all held): every `ecs deploy` exits non-zero; each deploy that starts a service deployment ends ROLLBACK_*; api-qa back on the revision it had, steady; the stopped reason (or the alarm) names the cause; zero failed requests on qa (keep-alive /api/v1/version, a new connection per /healthz) and prod, and every qa answer from the old commit; api-prod on the same revision with the very same task ARNs; the ALARM e-mail of the 5xx deploy's alarm in the region's outbox.",
    "Spec overrides (test/src/spec-copy.ts): api-qa BLUE_GREEN with bakeTimeInMinutes 1 and a PAUSE hook at POST_TEST_TRAFFIC_SHIFT: green gets the test listener, the deployment alarms watch what it answers there, and production moves only after a CONTINUE nobody sends here (the alarm rolls back; else `ecs deploy --timeout 240` would); local.maxDeploymentBakeSeconds 20 (the shipped value). Health checks (5 s, 2 unhealthy, 30 s grace) and alarm periods (60 s) are the spec's: the never-healthy deploy's time is three tasks' grace and checks until the circuit breaker (3 failed tasks), the 5xx deploy's mostly the alarm's next evaluation.",
    "The 5xx traffic that trips the alarm is the load's `qa test listener` stream (synthetic checks on the test listener, 127.0.0.1:<testHttp>, Host qa.localhost): it is expected to fail while green is the broken version and is not part of the pass conditions nor of the plotted timeline.",
    "A missing image in ECR is refused by `ecs deploy` before anything changes (it checks every image with DescribeImages): nothing to roll back, and ECS never sees it. A missing image outside ECR (a registry the CLI can't check; it warns) reaches ECS, whose tasks fail with CannotPullContainerError until the circuit breaker rolls back.",
    "Broken images (test/src/broken-images.ts): a few lines of Node each, pushed to api-qa's repository: exits 1 at start; listens but /healthz answers 404; /healthz 200 but every other path 500 with an error log line; allocates 64 MiB every 50 ms, written, towards 2 GiB (the API's hard limit is 1024 MiB; the region samples each container's resident memory every second and kills it past its limit: OutOfMemoryError).",
    ...(problems.length > 0 ? [`Failed: ${problems.join("; ")}`] : []),
  ];
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
