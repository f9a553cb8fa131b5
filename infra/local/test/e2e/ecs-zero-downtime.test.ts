import { GetLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { DescribeTasksCommand, ListTasksCommand } from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EcsTestRegion, type TestApp, waitFor } from "../../src/testing/index.js";

// A blue/green deploy through the ECS API while a bounded load generator hits qa through the
// load balancer: no request fails, the version switches, the old task drains and stops.

let t: EcsTestRegion;
let qa: TestApp;

beforeAll(async () => {
  t = await EcsTestRegion.start({ taskPorts: { from: 43000, to: 43099 } });
  await t.createEdge();
  qa = await t.createApp("app-qa", "qa.localhost", 10);
}, 30_000);

afterAll(async () => {
  await t?.region.cleanup();
}, 30_000);

describe("zero-downtime deployment", () => {
  it("switches qa from v1 to v2 with every request answered", async () => {
    const v1 = await t.pushImage(qa, "v1");
    const service = await t.createService(qa, await t.registerApp(qa, v1));
    const first = service.deployments?.[0]?.id as string;
    const settled = await t.waitForRollout(qa, first);
    expect(settled.deployments?.[0]?.rolloutState).toBe("COMPLETED");
    expect((await t.get(qa, "/version")).body).toBe("v1");
    const [oldTask] =
      (await t.ecs.send(new ListTasksCommand({ cluster: "platform", serviceName: "app-qa" }))).taskArns ?? [];

    // The task reads its host port and the task metadata endpoint v4 from its environment.
    const env = JSON.parse((await t.get(qa, "/env")).body) as Record<string, string>;
    const container = (await (await fetch(env.ECS_CONTAINER_METADATA_URI_V4 as string)).json()) as Record<
      string,
      unknown
    >;
    expect(container.Ports).toEqual([
      { ContainerPort: 3000, Protocol: "tcp", HostPort: Number(env.PORT), HostIp: "0.0.0.0" },
    ]);
    expect(container.Image).toBe(v1);
    expect(container.ImageID).toMatch(/^sha256:[0-9a-f]{64}$/);
    const taskMetadata = (await (await fetch(`${env.ECS_CONTAINER_METADATA_URI_V4}/task`)).json()) as Record<
      string,
      unknown
    >;
    expect(taskMetadata.TaskARN).toBe(oldTask);
    expect(env.LOG_LEVEL).toBe("debug");

    const v2 = await t.pushImage(qa, "v2");
    // Bounded: at most 2000 requests, and only while the deployment runs (it has its own timeout).
    const load = t.load(qa, { max: 2000, pauseMs: 20 });
    const deployment = await t.deployImage(qa, v2);
    const done = await t.waitForRollout(qa, deployment);
    const results = await load.stop();

    expect(done.deployments?.map((d) => [d.id, d.rolloutState])).toEqual([[deployment, "COMPLETED"]]);
    expect(results.length).toBeGreaterThan(20);
    expect(results.filter((r) => r.status !== 200)).toEqual([]);
    const versions = results.map((r) => r.body);
    expect(versions[0]).toBe("v1");
    expect(versions.at(-1)).toBe("v2");
    expect((await t.get(qa, "/version")).body).toBe("v2");

    const old = (
      await t.ecs.send(new DescribeTasksCommand({ cluster: "platform", tasks: [oldTask as string] }))
    ).tasks?.[0];
    expect(old?.lastStatus).toBe("STOPPED");
    expect(old?.stopCode).toBe("ServiceSchedulerInitiated");
    expect(old?.stoppedReason).toBe(`Scaling activity initiated by (deployment ${deployment})`);
    expect(old?.containers?.[0]?.exitCode).toBe(0);
    const messages = done.events?.map((e) => e.message) ?? [];
    expect(messages).toContain("(service app-qa) has begun draining connections on 1 tasks.");
    expect(messages).toContain(`(service app-qa) (deployment ${deployment}) deployment completed.`);
    expect(messages[0]).toBe("(service app-qa) has reached a steady state.");

    // The old container's output went to its awslogs stream, SIGTERM included.
    const taskId = (oldTask as string).split("/").pop();
    const events = await waitFor("the old task's SIGTERM line in its log stream", async () => {
      const out = await t.logs.send(
        new GetLogEventsCommand({
          logGroupName: "/ecs/app-qa",
          logStreamName: `ecs/app/${taskId}`,
          startFromHead: true,
        }),
      );
      const lines = out.events?.map((e) => e.message) ?? [];
      return lines.includes("SIGTERM received") ? lines : undefined;
    });
    expect(events[0]).toMatch(/^listening on \d+ version v1$/);
  }, 90_000);
});
