import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DescribeTasksCommand, ListTaskDefinitionsCommand, ListTasksCommand } from "@aws-sdk/client-ecs";
import { DescribeRulesCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
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

describe("region restart during a blue/green deployment", () => {
  const bgStateDir = mkdtempSync(join(tmpdir(), "ecs-restart-bg-"));
  let r: EcsTestRegion | undefined;
  afterAll(async () => {
    await r?.region.stop();
    rmSync(bgStateDir, { recursive: true, force: true });
  }, 30_000);

  it("rolls the deployment back: every rule on blue, blue's revision serving again", {
    timeout: 120_000,
  }, async () => {
    r = await EcsTestRegion.start({ taskPorts: { from: 43300, to: 43349 }, stateDir: bgStateDir });
    await r.createEdge();
    const app = await r.createShiftingApp("app-prod", "app.localhost", 10);
    await r.createShiftingService(app, await r.registerApp(app, await r.pushImage(app, "v1")), {});
    await r.waitForServiceDeployment(app, "SUCCESSFUL", (sd) => sd.status === "SUCCESSFUL");
    await r.deployImage(app, await r.pushImage(app, "v2"));
    const baking = await r.waitForServiceDeployment(
      app,
      "BAKE_TIME",
      (sd) => sd.lifecycleStage === "BAKE_TIME",
    );
    expect((await r.get(app, "/version")).body).toBe("v2");
    await r.region.stop();

    const listenerPort = r.listenerPort;
    r = await EcsTestRegion.start({ taskPorts: { from: 43350, to: 43399 }, stateDir: bgStateDir });
    r.listenerPort = listenerPort;
    const after = await r.waitForServiceDeployment(
      app,
      "rolled back",
      (sd) => sd.status === "ROLLBACK_SUCCESSFUL",
    );
    expect(after.serviceDeploymentArn).toBe(baking.serviceDeploymentArn);
    expect(after.statusReason).toMatch(/local region restarted/);
    const rules = await r.elb.send(
      new DescribeRulesCommand({ RuleArns: [app.rules.production, app.rules.twin, app.rules.test] }),
    );
    for (const rule of rules.Rules ?? []) {
      const groups = rule.Actions?.[0]?.ForwardConfig?.TargetGroups ?? [];
      expect(groups.find((g) => g.TargetGroupArn === app.greenArn)?.Weight).toBe(0);
    }
    const served = await waitFor("prod to serve v1 again", async () => {
      const answer = await (r as EcsTestRegion).get(app, "/version").catch(() => undefined);
      return answer?.status === 200 ? answer.body : undefined;
    });
    expect(served).toBe("v1");
  });
});
