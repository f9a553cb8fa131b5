import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DescribeTasksCommand, ListTaskDefinitionsCommand, ListTasksCommand } from "@aws-sdk/client-ecs";
import { afterAll, describe, expect, it } from "vitest";
import { EcsTestRegion, type TestApp, waitFor } from "../../src/testing/index.js";

// A region stopped and started again on the same state folder: clusters, revisions, services and
// their completed deployments are still there, and the service runs its tasks again by itself.

const stateDir = mkdtempSync(join(tmpdir(), "ecs-restart-"));
let t: EcsTestRegion | undefined;

afterAll(async () => {
  await t?.region.stop();
  rmSync(stateDir, { recursive: true, force: true });
}, 30_000);

describe("region restart", () => {
  it("resumes services from the saved state without a new deployment", { timeout: 60_000 }, async () => {
    t = await EcsTestRegion.start({ taskPorts: { from: 43200, to: 43249 }, stateDir });
    await t.createEdge();
    const qa: TestApp = await t.createApp("app-qa", "qa.localhost", 10);
    const service = await t.createService(qa, await t.registerApp(qa, await t.pushImage(qa, "v1")));
    const deploymentId = service.deployments?.[0]?.id as string;
    await t.waitForRollout(qa, deploymentId);
    const [before] =
      (await t.ecs.send(new ListTasksCommand({ cluster: "platform", serviceName: "app-qa" }))).taskArns ?? [];
    await t.region.stop();

    const listenerPort = t.listenerPort;
    t = await EcsTestRegion.start({ taskPorts: { from: 43250, to: 43299 }, stateDir });
    t.listenerPort = listenerPort;
    const stopped = (
      await t.ecs.send(new DescribeTasksCommand({ cluster: "platform", tasks: [before as string] }))
    ).tasks?.[0];
    expect(stopped?.lastStatus).toBe("STOPPED");
    expect(stopped?.stoppedReason).toBe("Task stopped because the local region is shutting down");

    const served = await waitFor("qa to serve v1 again", async () => {
      const r = await (t as EcsTestRegion).get(qa, "/version").catch(() => undefined);
      return r?.status === 200 ? r.body : undefined;
    });
    expect(served).toBe("v1");
    const now = await t.describeService(qa);
    expect(now.deployments?.map((d) => [d.id, d.rolloutState])).toEqual([[deploymentId, "COMPLETED"]]);
    const [after] =
      (await t.ecs.send(new ListTasksCommand({ cluster: "platform", serviceName: "app-qa" }))).taskArns ?? [];
    expect(after).not.toBe(before);
    expect(
      (await t.ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: "app-qa" }))).taskDefinitionArns,
    ).toHaveLength(1);
  });
});
