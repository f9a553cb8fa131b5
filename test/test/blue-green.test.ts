import { join } from "node:path";
import { type RunResult, sleep, waitFor } from "@platform/local-region/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pushAppVariant } from "../src/app-image.js";
import { ecsDeploy } from "../src/ecs-cli.js";
import { runningTasks, targetStates } from "../src/ecs-tasks.js";
import { type EventSockets, openEventSockets } from "../src/event-sockets.js";
import { LbClients, type LbTarget, type VersionInfo } from "../src/lb-client.js";
import { type Sample, startLoad } from "../src/load.js";
import { commitOf, summarizeStreams } from "../src/load-summary.js";
import { LocalRegionProcess, REPO_ROOT } from "../src/region-process.js";
import { commonPercent, type WeightReading, watchWeights } from "../src/rule-weights.js";
import {
  latestServiceDeployment,
  type ShiftingService,
  shiftingService,
} from "../src/service-deployments.js";
import { type TargetTimeline, watchTargets } from "../src/target-watch.js";

// A BLUE_GREEN deploy of the real API to api-prod with `ecs deploy`, under steady load on the
// production listener (keep-alive and new connections, HTTP and HTTPS) and the test listener, with
// WebSocket clients open on blue. The deploy's own check (--test-command) holds ECS at its PAUSE hook
// for a few seconds, so the paused state is seen, not assumed: production on blue, the test listener on
// green. Every response names the commit that served it; the rule weights and blue's targets are read
// from the AWS API all along, so each request can be placed before or after the shift.

const PROD = "localhost";
/** The bake, capped for the suite (the spec's 1 minute → this many seconds): long enough to watch. */
const BAKE_SECONDS = 30;
const SOCKETS = 5;
/** How long the check at the hook keeps ECS paused. */
const CHECK_SECONDS = 4;

let region: LocalRegionProcess;
const clients = new LbClients();

beforeAll(async () => {
  region = await LocalRegionProcess.start("blue-green", {
    deployments: [{ env: "prod", app: "api", deployment: { strategy: "BLUE_GREEN", bakeTimeInMinutes: 1 } }],
    maxDeploymentBakeSeconds: BAKE_SECONDS,
  });
});

afterAll(async () => {
  clients.closeAll();
  await region?.stop();
});

const lb = (target: LbTarget) => clients.open(target);

const version = (path = "/api/v1/version") => ({ host: PROD, path });

describe("BLUE_GREEN deploy of api-prod under load", () => {
  it("tests green before users see it, shifts production at once, keeps blue's sockets until it drains, fails nothing", async () => {
    const aws = region.clients();
    const ports = region.ports;
    const production = lb({ port: ports.http });
    const before = await production.json<VersionInfo>(version());
    const blueTasks = await runningTasks(aws, "api-prod");
    expect(blueTasks).toHaveLength(2);
    const service = await shiftingService(region, "api-prod");
    expect(service.productionRules).toHaveLength(2);
    expect(service.testRules).toHaveLength(2);

    const commit = `e2e-blue-green-${Date.now()}`;
    const pushed = await pushAppVariant(aws.ecr, "api", "api-prod", commit);
    const sockets = await openEventSockets(ports.http, PROD, region.apiKeys().prod, SOCKETS);
    const productionWeights = watchWeights(aws.elb, service.productionRules);
    const testWeights = watchWeights(aws.elb, service.testRules);
    const blueTargets = watchTargets(aws.elb, service.blue);
    const load = startLoad(production, {
      streams: [
        { name: "prod keep-alive", workers: 2, requests: [version()] },
        {
          name: "prod new connections",
          workers: 1,
          requests: [version()],
          client: lb({ port: ports.http, connections: "new" }),
        },
        {
          name: "prod https",
          workers: 1,
          requests: [version()],
          client: lb({ port: ports.https, tls: { ca: region.certificate } }),
        },
        { name: "test", workers: 1, requests: [version()], client: lb({ port: ports.testHttp }) },
      ],
      maxRequests: 60_000,
      maxMs: 240_000,
      pauseMs: 10,
    });

    let samples: Sample[] = [];
    let weights: { production: WeightReading[]; test: WeightReading[] } = { production: [], test: [] };
    let targets: TargetTimeline[] = [];
    const deployStarted = Date.now();
    let deploy: RunResult | undefined;
    let socketsClosed = false;
    try {
      await waitFor("the load to be under way", () => load.count() >= 40, 30_000);
      // This Node, not whichever `node` is first on PATH.
      const script = join(REPO_ROOT, "test/scripts/expect-version.mjs");
      const check = `"${process.execPath}" "${script}" ${commit} ${CHECK_SECONDS}`;
      deploy = await ecsDeploy(region, "api-prod", { container: "api", uri: pushed.pinnedUri }, [
        "--test-command",
        check,
        "--timeout",
        "240",
      ]);
      socketsClosed = await sockets.allClosed(30_000);
      const settled = load.count();
      await waitFor("requests after the deploy", () => load.count() > settled + 40, 30_000);
      await sleep(300);
    } finally {
      samples = await load.stop();
      weights = { production: await productionWeights.stop(), test: await testWeights.stop() };
      targets = await blueTargets.stop();
      await sockets.close();
    }
    if (!deploy) throw new Error("ecs deploy did not run");
    expect(deploy.code, deploy.output.slice(-4000)).toBe(0);
    expect(deploy.output).toContain(`every answer is ${commit}`);

    const moments = shiftMoments(weights, service);
    const streams = summarizeStreams(samples, commitOf);
    const productionSamples = samples.filter((s) => s.stream.startsWith("prod"));
    const testSamples = samples.filter((s) => s.stream === "test");
    const blueDrainingAt = Math.min(...targets.map((t) => t.drainingAt ?? Number.POSITIVE_INFINITY));
    // The first blue target began draining after this: the last moment both were seen in service.
    const blueServingUntil = Math.min(...targets.map((t) => t.servingUntil ?? Number.NEGATIVE_INFINITY));
    const blueGoneAt = Math.max(...targets.map((t) => t.goneAt ?? Number.POSITIVE_INFINITY));
    report({
      deploy,
      deployStarted,
      samples,
      streams,
      moments,
      sockets,
      targets,
      blueDrainingAt,
      blueGoneAt,
    });

    // Nobody saw a failure, on any listener, with any kind of connection.
    for (const [name, summary] of Object.entries(streams)) {
      expect(summary.failed.slice(0, 5), name).toEqual([]);
      expect(summary.total, name).toBeGreaterThan(50);
    }
    const reused = (stream: string) => samples.filter((s) => s.stream === stream && s.reusedConnection);
    expect(reused("prod keep-alive").length).toBeGreaterThan(streams["prod keep-alive"]!.total / 2);
    expect(reused("prod new connections")).toEqual([]);

    // Before production moved: production served blue only, while the test listener served green only.
    const beforeShift = productionSamples.filter((s) => s.endedAt <= moments.productionLastBlue.sentAt);
    expect(new Set(beforeShift.map(commitOf))).toEqual(new Set([before.commit]));
    const paused = (s: Sample) =>
      s.startedAt >= moments.testOnGreen.at && s.endedAt <= moments.productionLastBlue.sentAt;
    expect(productionSamples.filter(paused).length).toBeGreaterThan(50);
    const testWhilePaused = testSamples.filter(paused);
    expect(testWhilePaused.length).toBeGreaterThan(20);
    expect(new Set(testWhilePaused.map(commitOf))).toEqual(new Set([commit]));

    // After the shift: green only, except requests already sent to blue before it.
    const afterShift = productionSamples.filter((s) => s.startedAt >= moments.productionOnGreen.at);
    expect(afterShift.length).toBeGreaterThan(100);
    expect(new Set(afterShift.map(commitOf))).toEqual(new Set([commit]));
    const blueAnswers = productionSamples.filter((s) => commitOf(s) === before.commit);
    for (const s of blueAnswers) expect(s.startedAt).toBeLessThan(moments.productionOnGreen.at);

    // Blue kept running through the bake and was deregistered only after it.
    expect(targets.length).toBe(2);
    expect(blueDrainingAt - moments.productionLastBlue.sentAt).toBeGreaterThanOrEqual(
      (BAKE_SECONDS - 2) * 1000,
    );
    expect(blueServingUntil - moments.productionLastBlue.sentAt).toBeGreaterThanOrEqual(
      (BAKE_SECONDS - 2) * 1000,
    );
    expect(blueGoneAt).toBeLessThan(Number.POSITIVE_INFINITY);

    // The WebSockets opened on blue stayed up through the shift and the bake, until blue began to drain
    // (the API closes them itself, with 1001, when ECS marks its task STOPPED at the start of the drain:
    // that can be just before the poll that first shows the target draining).
    expect(socketsClosed).toBe(true);
    for (const socket of sockets.records) {
      expect(socket.greeted).toBe(true);
      expect(socket.openedAt).toBeLessThan(deployStarted);
      expect(socket.closedAt).toBeGreaterThanOrEqual(blueServingUntil);
    }

    // ECS's account: the service deployment succeeded and api-prod now runs green only.
    const done = await latestServiceDeployment(aws, "api-prod");
    expect(done?.status).toBe("SUCCESSFUL");
    const now = await production.json<VersionInfo>(version());
    expect(now.commit).toBe(commit);
    expect(now.image).toContain(pushed.imageDigest);
    const greenTasks = await runningTasks(aws, "api-prod");
    expect(greenTasks).toHaveLength(2);
    expect(greenTasks.map((t) => t.taskArn)).not.toContain(blueTasks[0]?.taskArn);
    const greenName = service.green.split("/")[1] as string;
    expect((await targetStates(aws, greenName)).map((t) => t.state)).toEqual(["healthy", "healthy"]);
  });
});

interface ShiftMoments {
  /** The first reading with every test rule on green. */
  testOnGreen: WeightReading;
  /** The last reading with production on blue, and the first with every production rule on green. */
  productionLastBlue: WeightReading;
  productionOnGreen: WeightReading;
}

function shiftMoments(
  weights: { production: WeightReading[]; test: WeightReading[] },
  service: ShiftingService,
): ShiftMoments {
  const testOnGreen = weights.test.find((r) => commonPercent(r, service.green) === 100);
  const productionOnGreen = weights.production.find((r) => commonPercent(r, service.green) === 100);
  const productionLastBlue = weights.production
    .filter((r) => productionOnGreen && r.sentAt < productionOnGreen.sentAt)
    .findLast((r) => commonPercent(r, service.green) === 0);
  if (!testOnGreen || !productionOnGreen || !productionLastBlue)
    throw new Error(
      `the rule weights never showed the shift: test on green ${Boolean(testOnGreen)}, production on green ${Boolean(productionOnGreen)}`,
    );
  expect(testOnGreen.at).toBeLessThan(productionLastBlue.sentAt);
  return { testOnGreen, productionLastBlue, productionOnGreen };
}

function report(r: {
  deploy: { elapsedMs: number };
  deployStarted: number;
  samples: Sample[];
  streams: ReturnType<typeof summarizeStreams>;
  moments: ShiftMoments;
  sockets: EventSockets;
  targets: TargetTimeline[];
  blueDrainingAt: number;
  blueGoneAt: number;
}): void {
  const s = (at: number) => `${((at - r.deployStarted) / 1000).toFixed(1)} s`;
  const counts = Object.entries(r.streams)
    .map(([name, summary]) => `${name} ${summary.total} (${JSON.stringify(countsOf(summary.labels))})`)
    .join(", ");
  const inFlight = r.samples.filter(
    (x) =>
      x.stream.startsWith("prod") &&
      x.startedAt < r.moments.productionOnGreen.at &&
      x.endedAt > r.moments.productionLastBlue.sentAt,
  ).length;
  const closes = r.sockets.records.map((x) => x.closedAt ?? Number.NaN);
  const paused = (x: Sample) =>
    x.startedAt >= r.moments.testOnGreen.at && x.endedAt <= r.moments.productionLastBlue.sentAt;
  const pausedProduction = r.samples.filter((x) => x.stream.startsWith("prod") && paused(x)).length;
  const pausedTest = r.samples.filter((x) => x.stream === "test" && paused(x)).length;
  const afterShift = r.samples.filter(
    (x) => x.stream.startsWith("prod") && x.startedAt >= r.moments.productionOnGreen.at,
  ).length;
  console.log(
    [
      `blue/green: ${r.samples.length} requests: ${counts};`,
      `from the deploy's start: test listener on green ${s(r.moments.testOnGreen.at)},`,
      `production shifted between ${s(r.moments.productionLastBlue.sentAt)} and ${s(r.moments.productionOnGreen.at)}`,
      `(${inFlight} production requests straddled it), blue draining ${s(r.blueDrainingAt)}, blue gone ${s(r.blueGoneAt)};`,
      `while paused at the hook: ${pausedProduction} production requests (all blue), ${pausedTest} test-listener requests (all green);`,
      `${afterShift} production requests sent after the shift (all green);`,
      `${r.sockets.records.length} WebSockets closed ${s(Math.min(...closes))}–${s(Math.max(...closes))}`,
      `(codes ${[...new Set(r.sockets.records.map((x) => x.closeCode))].join(",")}),`,
      `ecs deploy exited ${(r.deploy.elapsedMs / 1000).toFixed(1)} s`,
    ].join(" "),
  );
}

function countsOf(labels: Record<string, { count: number }>): Record<string, number> {
  return Object.fromEntries(Object.entries(labels).map(([label, span]) => [label, span.count]));
}
