// Time to verdict: `ecs deploy`'s rules against "wait until only one deployment is left" (what the
// SDK waiter services-stable and fabfuel/ecs-deploy wait for), on the same local region, for a good
// deploy and for a bad one (an image that crashes at start).
//
//   npx tsc -b pipelines && npx tsx pipelines/bench/ecs-verdict.ts [runs]
//
// Bounded: `runs` deploys per method and case (default 2), each with a 180 s limit.

import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import { EcsTestRegion, type TestApp } from "@platform/local-region/testing";
import { createClients } from "../src/ecs/aws/clients.js";
import { systemClock } from "../src/ecs/aws/clock.js";
import { EcsGateway } from "../src/ecs/aws/ecs.js";
import type { Context } from "../src/ecs/core/context.js";
import { deploy } from "../src/ecs/core/deploy.js";
import { emptyChangeRequest } from "../src/ecs/model/change-request.js";
import { Redactor } from "../src/ecs/model/secrets.js";
import { PlainReporter } from "../src/ecs/output/plain.js";

const RUNS = Math.min(Math.max(Number(process.argv[2] ?? 2), 1), 5);
const LIMIT_S = 180;
// The platform's API target group drains for 15 s (env/platform.yaml); the waiter pays it, our rules don't.
const DRAIN_S = 15;

interface Sample {
  method: "ecs deploy rules" | "one deployment left";
  kind: "good" | "bad";
  seconds: number;
  verdict: string;
}

async function main(): Promise<void> {
  const region = await EcsTestRegion.start({ taskPorts: { from: 43700, to: 43799 } });
  try {
    Object.assign(process.env, region.region.awsEnv());
    await region.createEdge();
    const app = await region.createApp("bench-qa", "bench.qa.localhost", 10, DRAIN_S);
    const tags = ["v1", "v2"];
    for (const tag of tags) await region.pushImage(app, tag);
    await region.pushImage(app, "crash", { CRASH: "1" });
    await region.createService(app, await region.registerApp(app, await region.pushImage(app, "v0")));
    await region.steady(app);
    const samples: Sample[] = [];
    let good = 0;
    // v1, v2, v1, ...: every good deploy changes the image (the service starts on v0).
    const nextGood = () => tags[good++ % tags.length]!;
    // Traffic during every deploy (keep-alive, bounded), so old targets really drain as in production.
    const load = region.load(app, { max: 20_000 });
    for (let i = 0; i < RUNS; i++) {
      await region.steady(app);
      samples.push(await withOurRules(app, nextGood(), "good"));
      await region.steady(app);
      samples.push(await withOneDeploymentLeft(region, app, nextGood(), "good"));
      await region.steady(app);
      samples.push(await withOurRules(app, "crash", "bad"));
      await region.steady(app);
      samples.push(await withOneDeploymentLeft(region, app, "crash", "bad"));
    }
    const results = await load.stop();
    console.log(table(samples));
    console.log(
      `\nbackground requests: ${results.length}, failed: ${results.filter((r) => r.status !== 200).length}`,
    );
  } finally {
    await region.region.cleanup();
  }
}

async function withOurRules(app: TestApp, tag: string, kind: "good" | "bad"): Promise<Sample> {
  const clients = createClients({});
  let started = Date.now();
  let failedAt: number | undefined;
  const reporter = new PlainReporter({ out: () => {}, err: () => {} });
  // Time from UpdateService to the verdict: the core reports both as they happen.
  reporter.info = (message) => {
    if (message.startsWith("Updated ")) started = Date.now();
  };
  reporter.warn = (message) => {
    if (message.startsWith("deployment ") && failedAt === undefined) failedAt = Date.now();
  };
  const ctx: Context = {
    clients,
    ecs: new EcsGateway(clients.ecs),
    clock: systemClock,
    reporter,
    redactor: new Redactor(),
    pollIntervalMs: 2000,
  };
  const result = await deploy(ctx, {
    cluster: "platform",
    service: app.name,
    request: { ...emptyChangeRequest(), tag },
    timeoutSeconds: LIMIT_S,
    rollback: true,
    deregister: false,
    keep: 5,
    showDiff: false,
  });
  // A bad deploy's verdict comes before the rollback starts; the rollback's own wait is not part of it.
  const verdict = result.success?.rule ?? `${result.failure?.reason} -> ${result.outcome}`;
  const seconds = ((failedAt ?? Date.now()) - started) / 1000;
  return { method: "ecs deploy rules", kind, seconds, verdict };
}

/** Register + UpdateService, then poll every 2 s until the service has one deployment and runs its desired count. */
async function withOneDeploymentLeft(
  region: EcsTestRegion,
  app: TestApp,
  tag: string,
  kind: "good" | "bad",
): Promise<Sample> {
  const ecs = region.ecs;
  const service = await region.describeService(app);
  const current = await ecs.send(
    new DescribeTaskDefinitionCommand({ taskDefinition: service.taskDefinition }),
  );
  const td = current.taskDefinition!;
  const image = td.containerDefinitions![0]!.image!.replace(/[:@][^/]*$/, `:${tag}`);
  const registered = await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: td.family,
      networkMode: td.networkMode,
      containerDefinitions: td.containerDefinitions!.map((c) => ({ ...c, image })),
    }),
  );
  const started = Date.now();
  const newRevision = registered.taskDefinition!.taskDefinitionArn!;
  await ecs.send(
    new UpdateServiceCommand({ cluster: "platform", service: app.name, taskDefinition: newRevision }),
  );
  while (Date.now() - started < LIMIT_S * 1000) {
    await new Promise((r) => setTimeout(r, 2000));
    const s = (await ecs.send(new DescribeServicesCommand({ cluster: "platform", services: [app.name] })))
      .services![0]!;
    if (s.deployments?.length === 1 && s.runningCount === s.desiredCount) {
      // What the waiter reports is "stable"; whether that was our revision is what it never checks.
      const really =
        s.taskDefinition === newRevision
          ? "stable (new revision)"
          : "stable (but ROLLED BACK: reported as success)";
      return { method: "one deployment left", kind, seconds: (Date.now() - started) / 1000, verdict: really };
    }
  }
  return { method: "one deployment left", kind, seconds: LIMIT_S, verdict: "timeout" };
}

function table(samples: Sample[]): string {
  const rows = ["| case | method | time to verdict (s) | verdict |", "|---|---|---|---|"];
  for (const s of samples) rows.push(`| ${s.kind} | ${s.method} | ${s.seconds.toFixed(1)} | ${s.verdict} |`);
  const median = (kind: string, method: string) => {
    const xs = samples
      .filter((s) => s.kind === kind && s.method === method)
      .map((s) => s.seconds)
      .sort((a, b) => a - b);
    return xs.length ? xs[Math.floor(xs.length / 2)]!.toFixed(1) : "-";
  };
  rows.push("", "| case | ecs deploy rules (median s) | one deployment left (median s) |", "|---|---|---|");
  for (const kind of ["good", "bad"])
    rows.push(`| ${kind} | ${median(kind, "ecs deploy rules")} | ${median(kind, "one deployment left")} |`);
  return rows.join("\n");
}

await main();
