import { DescribeServicesCommand, UpdateServiceCommand } from "@aws-sdk/client-ecs";
import { type RunResult, sleep, waitFor } from "@platform/local-region/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pushAppVariant } from "../src/app-image.js";
import { ecsDeploy } from "../src/ecs-cli.js";
import { LbClients, type LbTarget, type VersionInfo } from "../src/lb-client.js";
import { type Sample, startLoad } from "../src/load.js";
import { commitOf, summarizeStreams } from "../src/load-summary.js";
import { CLUSTER, LocalRegionProcess } from "../src/region-process.js";
import { type WeightReading, watchWeights, weightSpans } from "../src/rule-weights.js";
import { latestServiceDeployment, shiftingService } from "../src/service-deployments.js";
import { type StepShare, stepShares } from "../src/step-shares.js";

// CANARY and LINEAR deploys of the real API to api-prod under load: at each step of the production
// shift (read from the rule weights with DescribeRules), green's share of the production requests
// that were sent and answered inside that step, over at least 400 requests per step, is within
// ±5 points of the configured percent.

const PROD = "localhost";
/** Every step bake and the final bake (1 minute in the spec, capped to this): ≥ 400 requests a step. */
const STEP_SECONDS = 10;
const MIN_REQUESTS_PER_STEP = 400;
const TOLERANCE_POINTS = 5;

let region: LocalRegionProcess;
const clients = new LbClients();

beforeAll(async () => {
  region = await LocalRegionProcess.start("canary-linear", {
    deployments: [
      {
        env: "prod",
        app: "api",
        deployment: {
          strategy: "CANARY",
          bakeTimeInMinutes: 1,
          canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: 1 },
        },
      },
    ],
    maxDeploymentBakeSeconds: STEP_SECONDS,
  });
});

afterAll(async () => {
  clients.closeAll();
  await region?.stop();
});

const lb = (target: LbTarget) => clients.open(target);

describe("CANARY and LINEAR deploys of api-prod", () => {
  it("CANARY 10 %: green gets 10 % of production requests during the canary step, then all of them", async () => {
    const steps = await deployAndMeasure("canary");
    expect(steps.map((s) => s.percent)).toEqual([0, 10, 100]);
    assertShares(steps);
  });

  it("LINEAR 25 %: green gets 25, 50, 75 % of production requests step by step, then all of them", async () => {
    const aws = region.clients();
    // The team switches the service to LINEAR through the API (the spec stays CANARY: `npm start`
    // would put it back on its next run); the next deploy uses it.
    const out = await aws.ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: ["api-prod"] }));
    const { canaryConfiguration: _, ...current } = out.services?.[0]?.deploymentConfiguration ?? {};
    await aws.ecs.send(
      new UpdateServiceCommand({
        cluster: CLUSTER,
        service: "api-prod",
        deploymentConfiguration: {
          ...current,
          strategy: "LINEAR",
          linearConfiguration: { stepPercent: 25, stepBakeTimeInMinutes: 1 },
        },
      }),
    );
    const steps = await deployAndMeasure("linear");
    expect(steps.map((s) => s.percent)).toEqual([0, 25, 50, 75, 100]);
    assertShares(steps);
  });
});

/** Each step's measured share within ±5 points of its percent over ≥ 400 requests; before and after, exact. */
function assertShares(steps: StepShare[]): void {
  for (const step of steps) {
    const what = `step ${step.percent} %: ${step.green} of ${step.requests} on green`;
    if (step.percent === 0 || step.percent === 100) {
      expect(step.requests, what).toBeGreaterThan(50);
      expect(step.measured, what).toBe(step.percent);
    } else {
      expect(step.requests, what).toBeGreaterThanOrEqual(MIN_REQUESTS_PER_STEP);
      expect(Math.abs(step.measured - step.percent), what).toBeLessThanOrEqual(TOLERANCE_POINTS);
    }
  }
}

/**
 * Pushes a new version and deploys it with `ecs deploy` under production load (HTTP keep-alive and new
 * connections, HTTPS) until the service deployment is SUCCESSFUL; returns green's share per step.
 */
async function deployAndMeasure(name: string): Promise<StepShare[]> {
  const aws = region.clients();
  const ports = region.ports;
  const production = lb({ port: ports.http });
  const blue = (await production.json<VersionInfo>({ host: PROD, path: "/api/v1/version" })).commit;
  const service = await shiftingService(region, "api-prod");
  const commit = `e2e-${name}-${Date.now()}`;
  const pushed = await pushAppVariant(aws.ecr, "api", "api-prod", commit);
  const request = { host: PROD, path: "/api/v1/version" };
  const weights = watchWeights(aws.elb, service.productionRules);
  const load = startLoad(production, {
    streams: [
      { name: "prod keep-alive", workers: 3, requests: [request] },
      {
        name: "prod new connections",
        workers: 1,
        requests: [request],
        client: lb({ port: ports.http, connections: "new" }),
      },
      {
        name: "prod https",
        workers: 1,
        requests: [request],
        client: lb({ port: ports.https, tls: { ca: region.certificate } }),
      },
    ],
    maxRequests: 150_000,
    maxMs: 200_000,
    pauseMs: 2,
  });
  let samples: Sample[] = [];
  let readings: WeightReading[] = [];
  let deploy: RunResult | undefined;
  try {
    await waitFor("the load to be under way", () => load.count() >= 100, 30_000);
    deploy = await ecsDeploy(region, "api-prod", { container: "api", uri: pushed.pinnedUri });
    const settled = load.count();
    await waitFor("requests after the deploy", () => load.count() > settled + 200, 30_000);
    await sleep(200);
  } finally {
    samples = await load.stop();
    readings = await weights.stop();
  }
  expect(deploy?.code, deploy?.output.slice(-4000)).toBe(0);
  expect((await latestServiceDeployment(aws, "api-prod"))?.status).toBe("SUCCESSFUL");

  const spans = weightSpans(readings, service.green).filter((s) => s.readings >= 2);
  const steps = stepShares(samples, spans, commitOf, commit);
  const streams = summarizeStreams(samples, commitOf);
  console.log(
    [
      `${name}: ${samples.length} production requests (${Object.entries(streams)
        .map(([stream, s]) => `${stream} ${s.total}`)
        .join(
          ", ",
        )}), ${readings.length} DescribeRules readings, ecs deploy ${((deploy?.elapsedMs ?? 0) / 1000).toFixed(1)} s;`,
      ...steps.map(
        (s) =>
          `step ${s.percent} %: ${s.green}/${s.requests} on green = ${s.measured.toFixed(1)} % over ${s.seconds.toFixed(1)} s`,
      ),
    ].join("\n  "),
  );
  for (const [stream, summary] of Object.entries(streams))
    expect(summary.failed.slice(0, 5), stream).toEqual([]);
  // Only the two versions answered.
  expect(Object.keys(streams["prod keep-alive"]?.labels ?? {}).sort()).toEqual([blue, commit].sort());
  return steps;
}
