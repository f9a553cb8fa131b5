import { runNode, sleep, waitFor } from "@platform/local-region/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pushAppVariant } from "../src/app-image.js";
import {
  describeTasks,
  hostPorts,
  runningTasks,
  serviceEventsSince,
  targetStates,
} from "../src/ecs-tasks.js";
import { LbClient, type VersionInfo } from "../src/lb-client.js";
import { type Sample, startLoad } from "../src/load.js";
import { jsonField, summarize } from "../src/load-summary.js";
import { LocalRegionProcess, REPO_ROOT } from "../src/region-process.js";

// A new image of the real API deployed to api-qa with `ecs deploy` while users keep calling qa and
// prod through the load balancer: no request fails, qa switches to the new image, the old task
// drains and stops, and prod does not notice anything.

const QA = "qa.localhost";
const PROD = "localhost";

let region: LocalRegionProcess;
let lb: LbClient;

beforeAll(async () => {
  region = await LocalRegionProcess.start("zero-downtime");
  lb = new LbClient({ port: region.ports.http });
});

afterAll(async () => {
  lb?.close();
  await region?.stop();
});

describe("ecs deploy of a new API image to qa under load", () => {
  it("serves every request, switches qa to the new image, drains the old task and leaves prod alone", async () => {
    const clients = region.clients();
    const before = {
      qa: await lb.json<VersionInfo>({ host: QA, path: "/api/v1/version" }),
      prod: await lb.json<VersionInfo>({ host: PROD, path: "/api/v1/version" }),
      qaTasks: await runningTasks(clients, "api-qa"),
      prodTasks: await runningTasks(clients, "api-prod"),
    };
    expect(before.qaTasks).toHaveLength(1);
    expect(before.prodTasks).toHaveLength(2);

    const commit = `e2e-zero-downtime-${Date.now()}`;
    const pushed = await pushAppVariant(clients.ecr, "api", "api-qa", commit);
    expect(pushed.imageDigest).not.toBe(before.qa.image.split("@")[1]);

    const load = startLoad(lb, {
      streams: [
        {
          name: "qa",
          workers: 3,
          requests: [
            { host: QA, path: "/api/v1/version" },
            { host: QA, path: "/healthz" },
          ],
        },
        { name: "prod", workers: 1, requests: [{ host: PROD, path: "/api/v1/version" }] },
      ],
      maxRequests: 40_000,
      maxMs: 240_000,
      pauseMs: 10,
    });
    let samples: Sample[] = [];
    let deploySeconds = 0;
    let oldStoppedSeconds = 0;
    const deployStarted = Date.now();
    try {
      await waitFor("the load to be under way", async () => (load.count() >= 20 ? true : undefined), 30_000);
      const deploy = await runNode(
        ["pipelines/dist/src/ecs/cli.js", "deploy", "platform", "api-qa", "-i", "api", pushed.pinnedUri],
        { cwd: REPO_ROOT, env: region.awsEnv(), limitMs: 200_000 },
      );
      expect(deploy.code, deploy.output.slice(-3000)).toBe(0);
      deploySeconds = deploy.elapsedMs / 1000;

      // The old task leaves the target group (draining, deregistration delay 15 s) and then stops.
      const oldTaskArns = before.qaTasks.map((t) => t.taskArn as string);
      const stopped = await waitFor(
        "the old qa task to stop",
        async () => {
          const tasks = await describeTasks(clients, oldTaskArns);
          return tasks.every((t) => t.lastStatus === "STOPPED") ? tasks : undefined;
        },
        90_000,
      );
      for (const task of stopped) expect(task.stopCode).toBe("ServiceSchedulerInitiated");
      oldStoppedSeconds = (Date.now() - deployStarted) / 1000;
      // A little traffic after the switch, so "only the new image is served" is shown, not assumed.
      const settled = load.count();
      await waitFor(
        "requests after the switch",
        async () => (load.count() > settled + 40 ? true : undefined),
        30_000,
      );
      await sleep(500);
    } finally {
      samples = await load.stop();
    }

    const label = jsonField("commit");
    const qa = summarize(
      samples.filter((s) => s.stream === "qa"),
      label,
    );
    const prod = summarize(
      samples.filter((s) => s.stream === "prod"),
      label,
    );
    const oldSpan = qa.labels[before.qa.commit];
    const newSpan = qa.labels[commit];
    console.log(
      [
        `zero downtime: ${samples.length} requests (qa ${qa.total}, prod ${prod.total}),`,
        `failures qa ${qa.failed.length}, prod ${prod.failed.length};`,
        `qa statuses ${JSON.stringify(qa.byStatus)};`,
        `first new version ${newSpan ? ((newSpan.firstAt - deployStarted) / 1000).toFixed(1) : "-"} s,`,
        `last old version ${oldSpan ? ((oldSpan.lastAt - deployStarted) / 1000).toFixed(1) : "-"} s after the deploy began;`,
        `ecs deploy exited after ${deploySeconds.toFixed(1)} s, old task seen STOPPED at ${oldStoppedSeconds.toFixed(1)} s`,
      ].join(" "),
    );

    expect(qa.failed.slice(0, 5)).toEqual([]);
    expect(prod.failed.slice(0, 5)).toEqual([]);
    expect(qa.total).toBeGreaterThan(100);

    // qa served the old version, then the new one, and nothing old after the new one took over.
    expect(oldSpan?.count).toBeGreaterThan(0);
    expect(newSpan?.count).toBeGreaterThan(0);
    expect(Object.keys(qa.labels).sort()).toEqual([before.qa.commit, commit].sort());
    const lastOld = oldSpan?.lastAt ?? 0;
    const lastVersions = samples
      .filter((s) => s.stream === "qa" && s.path === "/api/v1/version" && s.startedAt > lastOld)
      .map(label);
    expect(lastVersions.length).toBeGreaterThan(10);
    expect(new Set(lastVersions)).toEqual(new Set([commit]));
    const now = await lb.json<VersionInfo>({ host: QA, path: "/api/v1/version" });
    expect(now.commit).toBe(commit);
    expect(now.image).toContain(pushed.imageDigest);

    // ECS's own account of it: the old task's connections drained and its target was deregistered.
    const events = await serviceEventsSince(region, "api-qa", deployStarted);
    expect(
      events.some((m) => /has begun draining connections on 1 tasks/.test(m)),
      events.join("\n"),
    ).toBe(true);
    expect(
      events.some((m) => /deregistered 1 targets/.test(m)),
      events.join("\n"),
    ).toBe(true);

    // qa deploys blue/green (env/platform.yaml): the new task started in the green group, the old
    // task's target is gone from blue, and the new one is the only, healthy target.
    const newTasks = await runningTasks(clients, "api-qa");
    expect(newTasks).toHaveLength(1);
    expect(newTasks[0]?.taskArn).not.toBe(before.qaTasks[0]?.taskArn);
    expect(await targetStates(clients, "api-qa")).toEqual([]);
    const targets = await targetStates(clients, "api-qa-green");
    expect(targets).toEqual(hostPorts(newTasks[0]!).map((port) => ({ port, state: "healthy" })));

    // prod: same image throughout, same tasks.
    expect(Object.keys(prod.labels)).toEqual([before.prod.commit]);
    const prodAfter = await runningTasks(clients, "api-prod");
    expect(prodAfter.map((t) => t.taskArn).sort()).toEqual(before.prodTasks.map((t) => t.taskArn).sort());
    expect((await lb.json<VersionInfo>({ host: PROD, path: "/api/v1/version" })).image).toBe(
      before.prod.image,
    );
  });
});
