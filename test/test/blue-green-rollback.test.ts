import { SetAlarmStateCommand } from "@aws-sdk/client-cloudwatch";
import { DescribeServicesCommand } from "@aws-sdk/client-ecs";
import { waitFor } from "@platform/local-region/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pushAppVariant } from "../src/app-image.js";
import { ecsCli, ecsDeploy } from "../src/ecs-cli.js";
import { type LbClient, LbClients, type LbTarget, type VersionInfo } from "../src/lb-client.js";
import { type RunningLoad, type Sample, startLoad } from "../src/load.js";
import { commitOf, summarizeStreams } from "../src/load-summary.js";
import { CLUSTER, LocalRegionProcess } from "../src/region-process.js";
import {
  commonPercent,
  firstReadingAt,
  msUntilEachRule,
  type WeightWatch,
  watchWeights,
} from "../src/rule-weights.js";
import {
  type ShiftingService,
  shiftingService,
  waitForServiceDeployment,
} from "../src/service-deployments.js";

// The ways a BLUE_GREEN deploy of api-prod is undone, with production under load all along:
// (a) the deploy's own check on the test listener fails → ECS rolls back at the hook, and production
// never answers with the new version; (b) during the bake, a deployment alarm going to ALARM, and
// (c) `ecs rollback`, each put production back on blue — timed from the decision to the moment every
// production request is answered by blue again.

const PROD = "localhost";
/** The bake (1 minute in the spec, capped to this): the rollbacks below happen well inside it. */
const BAKE_SECONDS = 90;

let region: LocalRegionProcess;
let service: ShiftingService;
let load: RunningLoad;
let weights: WeightWatch;
const clients = new LbClients();
let production: LbClient;

beforeAll(async () => {
  region = await LocalRegionProcess.start("blue-green-rollback", {
    deployments: [{ env: "prod", app: "api", deployment: { strategy: "BLUE_GREEN", bakeTimeInMinutes: 1 } }],
    maxDeploymentBakeSeconds: BAKE_SECONDS,
  });
  const ports = region.ports;
  service = await shiftingService(region, "api-prod");
  production = lb({ port: ports.http });
  weights = watchWeights(region.clients().elb, service.productionRules);
  load = startLoad(production, {
    streams: [
      { name: "prod keep-alive", workers: 2, requests: [{ host: PROD, path: "/api/v1/version" }] },
      {
        name: "prod new connections",
        workers: 1,
        requests: [{ host: PROD, path: "/api/v1/version" }],
        client: lb({ port: ports.http, connections: "new" }),
      },
      {
        name: "test",
        workers: 1,
        requests: [{ host: PROD, path: "/api/v1/version" }],
        client: lb({ port: ports.testHttp }),
      },
    ],
    maxRequests: 200_000,
    maxMs: 280_000,
    pauseMs: 10,
  });
});

afterAll(async () => {
  const samples = (await load?.stop()) ?? [];
  await weights?.stop();
  const streams = summarizeStreams(samples, commitOf);
  console.log(
    `rollback suite load: ${Object.entries(streams)
      .map(([name, s]) => `${name} ${s.total} (${s.failed.length} failed)`)
      .join(", ")}`,
  );
  clients.closeAll();
  await region?.stop();
});

const lb = (target: LbTarget) => clients.open(target);

const since = (at: number) => (s: Sample) => s.startedAt >= at;
const productionOnly = (s: Sample) => s.stream.startsWith("prod");

async function blueCommit(): Promise<string> {
  return (await production.json<VersionInfo>({ host: PROD, path: "/api/v1/version" })).commit;
}

describe("BLUE_GREEN rollbacks of api-prod", () => {
  it("(a) rolls back at the hook when the test check fails; production never serves the new version", async () => {
    const aws = region.clients();
    const blue = await blueCommit();
    // The bad version: its static pages are gone (PUBLIC_DIR points nowhere), so GET / answers 404
    // on green while blue answers 200 — a fault only a check of the new version can catch.
    expect((await production.get({ host: PROD, path: "/" })).status).toBe(200);
    const commit = `e2e-rollback-hook-${Date.now()}`;
    const pushed = await pushAppVariant(aws.ecr, "api", "api-prod", commit);
    const started = Date.now();
    const deploy = await ecsDeploy(region, "api-prod", { container: "api", uri: pushed.pinnedUri }, [
      "-e",
      "api",
      "PUBLIC_DIR",
      "/nonexistent",
      "--test-url",
      "/",
      "--timeout",
      "180",
    ]);
    const samples = load.samples().filter(since(started));
    console.log(`(a) ecs deploy exited ${deploy.code} after ${(deploy.elapsedMs / 1000).toFixed(1)} s`);

    expect(deploy.code, deploy.output.slice(-4000)).toBe(1);
    expect(deploy.output).toMatch(/test 5\/5: GET \S+\/ .*→ 404/);
    expect(deploy.output).toContain("through the test listener answered 404 5 times");
    const sd = await waitForServiceDeployment(aws, "api-prod", "rolled back", started, (d) =>
      ["ROLLBACK_SUCCESSFUL", "ROLLBACK_FAILED"].includes(d.status ?? ""),
    );
    expect(sd.status).toBe("ROLLBACK_SUCCESSFUL");

    // Green did answer on the test listener (the check reached it), and never on production.
    const productionSamples = samples.filter(productionOnly);
    expect(productionSamples.length).toBeGreaterThan(100);
    expect(productionSamples.filter((s) => commitOf(s) === commit)).toEqual([]);
    expect(samples.filter((s) => s.stream === "test" && commitOf(s) === commit).length).toBeGreaterThan(0);
    expect(
      weights.readings().filter((r) => r.sentAt >= started && commonPercent(r, service.green) !== 0),
    ).toEqual([]);
    expect(failures(samples)).toEqual([]);
    expect(await blueCommit()).toBe(blue);
  });

  it("(b) a deployment alarm in ALARM during the bake returns all production traffic to blue", async () => {
    const aws = region.clients();
    const out = await aws.ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: ["api-prod"] }));
    const alarms = out.services?.[0]?.deploymentConfiguration?.alarms;
    expect(alarms).toMatchObject({ enable: true, rollback: true });
    const alarm = alarms?.alarmNames?.find((name) => name.endsWith("-5xx")) as string;
    expect(alarm).toBe("api-prod-5xx");

    const rolledBack = await bakeThenRollBack("alarm", () =>
      aws.cloudwatch.send(
        new SetAlarmStateCommand({
          AlarmName: alarm,
          StateValue: "ALARM",
          StateReason: "e2e: rollback test",
        }),
      ),
    );
    expect(rolledBack.reason).toContain(alarm);
    await aws.cloudwatch.send(
      new SetAlarmStateCommand({
        AlarmName: alarm,
        StateValue: "OK",
        StateReason: "e2e: rollback test done",
      }),
    );
  });

  it("(c) `ecs rollback` during the bake returns all production traffic to blue", async () => {
    const rolledBack = await bakeThenRollBack("ecs rollback", () =>
      ecsCli(region, ["rollback", "platform", "api-prod"]),
    );
    const cli = rolledBack.decision;
    expect(cli.code, cli.output.slice(-3000)).toBe(0);
    console.log(`ecs rollback said: ${cli.output.trim().split("\n").slice(-3).join(" | ")}`);
    expect(rolledBack.reason).toMatch(/StopServiceDeployment/);
  });
});

/**
 * Deploys a new version until its bake (`ecs deploy --wait-until BAKE_TIME`), checks production is on
 * it, then `decide()`s to roll back and measures: the decision → the production rules back on blue
 * (DescribeRules) and → the last request green answered (the load); every request sent after the rules
 * were seen on blue must be blue's.
 */
async function bakeThenRollBack<T>(
  how: string,
  decide: () => Promise<T>,
): Promise<{ reason: string; decisionToRulesMs: number; decisionToLastGreenMs: number; decision: T }> {
  const aws = region.clients();
  const blue = await blueCommit();
  const commit = `e2e-rollback-${how.replace(/\W+/g, "-")}-${Date.now()}`;
  const pushed = await pushAppVariant(aws.ecr, "api", "api-prod", commit);
  const started = Date.now();
  const deploy = await ecsDeploy(region, "api-prod", { container: "api", uri: pushed.pinnedUri }, [
    "--wait-until",
    "BAKE_TIME",
  ]);
  expect(deploy.code, deploy.output.slice(-3000)).toBe(0);
  const onGreen = Date.now();
  await waitFor(
    "production answering with the new version",
    () => load.samples().filter((s) => productionOnly(s) && s.startedAt >= onGreen).length > 40,
    20_000,
  );
  expect(
    new Set(
      load
        .samples()
        .filter((s) => productionOnly(s) && s.startedAt >= onGreen)
        .map(commitOf),
    ),
  ).toEqual(new Set([commit]));

  const decidedAt = Date.now();
  const decision = await decide();
  const decisionAnsweredMs = Date.now() - decidedAt;
  const sd = await waitForServiceDeployment(aws, "api-prod", "rolled back", started, (d) =>
    ["ROLLBACK_SUCCESSFUL", "ROLLBACK_FAILED"].includes(d.status ?? ""),
  );
  expect(sd.status).toBe("ROLLBACK_SUCCESSFUL");
  const rulesOnBlue = await waitFor(
    "the production rules back on blue",
    () => firstReadingAt(weights.readings(), service.green, 0, decidedAt),
    10_000,
  );
  const after = Date.now();
  await waitFor("requests after the rollback", () => load.samples().filter(since(after)).length > 40, 20_000);

  const samples = load.samples().filter((s) => productionOnly(s) && s.startedAt >= started);
  const green = samples.filter((s) => commitOf(s) === commit);
  const lastGreen = green.reduce((a, b) => (a.startedAt > b.startedAt ? a : b));
  const afterRules = samples.filter(since(rulesOnBlue.at));
  const lastOnGreen = weights
    .readings()
    .filter((r) => r.sentAt < rulesOnBlue.sentAt)
    .findLast((r) => commonPercent(r, service.green) !== 0);
  const perRule = Object.entries(msUntilEachRule(weights.readings(), service.green, 0, decidedAt))
    .map(([rule, ms]) => `${rule === service.productionRule ? "ECS's rule" : "its twin"} ${ms} ms`)
    .join(", ");
  const result = {
    reason: sd.rollback?.reason ?? sd.statusReason ?? "",
    decisionToRulesMs: rulesOnBlue.at - decidedAt,
    decisionToLastGreenMs: lastGreen.endedAt - decidedAt,
    decision,
  };
  console.log(
    [
      `rollback by ${how}: decided at ${new Date(decidedAt).toISOString()}, answered in ${decisionAnsweredMs} ms;`,
      `production rules seen on blue ${result.decisionToRulesMs} ms after the decision`,
      `(that reading was sent ${rulesOnBlue.sentAt - decidedAt} ms after, the last one still on green ${lastOnGreen ? lastOnGreen.sentAt - decidedAt : "-"} ms; per rule: ${perRule});`,
      `last green answer sent ${lastGreen.startedAt - decidedAt} ms, answered ${result.decisionToLastGreenMs} ms after the decision;`,
      `${green.length} green and ${samples.length - green.length} blue production answers since the deploy began;`,
      `${afterRules.length} production requests after the rules moved, all blue;`,
      `ECS: ${sd.status} (${result.reason})`,
    ].join(" "),
  );

  expect(failures(load.samples().filter(since(started)))).toEqual([]);
  expect(afterRules.length).toBeGreaterThan(40);
  expect(new Set(afterRules.map(commitOf))).toEqual(new Set([blue]));
  expect(lastGreen.startedAt).toBeLessThan(rulesOnBlue.at);
  expect(await blueCommit()).toBe(blue);
  return result;
}

function failures(samples: Sample[]): Sample[] {
  return Object.values(summarizeStreams(samples)).flatMap((s) => s.failed.slice(0, 5));
}
