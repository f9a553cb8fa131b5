import {
  ContinueServiceDeploymentCommand,
  DescribeServiceRevisionsCommand,
  StopServiceDeploymentCommand,
} from "@aws-sdk/client-ecs";
import { DescribeRulesCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EcsTestRegion, type ShiftingApp } from "../../src/testing/index.js";

// ECS-native blue/green through the real wire, scheduler and load balancer: green's tasks start in
// the alternate group, the test listener serves green while production stays on blue until a PAUSE
// hook is continued, the production rule (and its twin on a second listener) moves at once, blue
// keeps running through the bake, and StopServiceDeployment during the bake puts production back.

let t: EcsTestRegion;
let app: ShiftingApp;

beforeAll(async () => {
  t = await EcsTestRegion.start({ taskPorts: { from: 43100, to: 43199 }, maxDeploymentBakeSeconds: 8 });
  await t.createEdge();
  app = await t.createShiftingApp("app-prod", "app.localhost", 10);
}, 60_000);

afterAll(async () => {
  await t?.region.cleanup();
}, 60_000);

const PAUSE_AFTER_TEST = {
  lifecycleHooks: [
    {
      targetType: "PAUSE" as const,
      lifecycleStages: ["POST_TEST_TRAFFIC_SHIFT" as const],
      timeoutConfiguration: { timeoutInMinutes: 5 },
    },
  ],
};

const waitForStage = (stage: string) =>
  t.waitForServiceDeployment(
    app,
    `stage ${stage}`,
    (sd) => sd.lifecycleStage === stage || sd.status !== "IN_PROGRESS",
  );
const waitForStatus = (status: string) =>
  t.waitForServiceDeployment(app, `status ${status}`, (sd) => sd.status === status);

const versions = (results: { body: string }[]) => [...new Set(results.map((r) => r.body))].sort();

describe("ECS BLUE_GREEN through the load balancer", () => {
  it("tests green on the test listener, shifts production at once after the hook, bakes, stops blue", async () => {
    await t.createShiftingService(
      app,
      await t.registerApp(app, await t.pushImage(app, "v1")),
      PAUSE_AFTER_TEST,
    );
    await waitForStatus("SUCCESSFUL");
    expect((await t.get(app, "/version")).body).toBe("v1");

    const v2 = await t.pushImage(app, "v2");
    const production = t.load(app, { max: 6000, pauseMs: 10 });
    const twin = t.load(app, { max: 6000, pauseMs: 10, port: app.twinPort });
    await t.deployImage(app, v2);
    const paused = await waitForStage("POST_TEST_TRAFFIC_SHIFT");
    expect(paused.status).toBe("IN_PROGRESS");
    const hook = paused.lifecycleHookDetails?.[0];
    expect(hook?.status).toBe("AWAITING_ACTION");

    // Paused: the test listener serves green only, production blue only.
    const test = t.load(app, { max: 200, pauseMs: 5, port: app.testPort });
    await new Promise((r) => setTimeout(r, 1500));
    const testResults = await test.stop();
    expect(testResults.length).toBeGreaterThan(20);
    expect(versions(testResults)).toEqual(["v2"]);
    const continuedAt = Date.now();
    await t.ecs.send(
      new ContinueServiceDeploymentCommand({
        serviceDeploymentArn: paused.serviceDeploymentArn,
        hookId: hook?.hookId,
      }),
    );
    const baking = await waitForStage("BAKE_TIME");
    expect(baking.status).toBe("IN_PROGRESS");
    const done = await waitForStatus("SUCCESSFUL");
    expect(done.lifecycleStage).toBe("CLEAN_UP");
    const results = [...(await production.stop()), ...(await twin.stop())];
    const revisions = await t.ecs.send(
      new DescribeServiceRevisionsCommand({
        serviceRevisionArns: [
          done.targetServiceRevision?.arn as string,
          done.sourceServiceRevisions?.[0]?.arn as string,
        ],
      }),
    );
    expect(revisions.serviceRevisions?.map((r) => r.taskDefinition?.split("/").pop())).toEqual([
      "app-prod:2",
      "app-prod:1",
    ]);

    expect(results.filter((r) => r.status !== 200)).toEqual([]);
    // Before the hook was continued production saw v1 only; after the shift, v2 only (a request
    // sent before the shift may still answer v1).
    expect(versions(results.filter((r) => r.at < continuedAt))).toEqual(["v1"]);
    const shiftedAt = results.find((r) => r.body === "v2")?.sentAt ?? Number.POSITIVE_INFINITY;
    expect(results.filter((r) => r.sentAt > shiftedAt && r.body !== "v2")).toEqual([]);
    const weights = await t.elb.send(
      new DescribeRulesCommand({ RuleArns: [app.rules.production, app.rules.twin, app.rules.test] }),
    );
    for (const rule of weights.Rules ?? []) {
      const groups = rule.Actions?.[0]?.ForwardConfig?.TargetGroups ?? [];
      expect(groups.find((g) => g.TargetGroupArn === app.greenArn)?.Weight).toBeGreaterThan(0);
      expect(groups.find((g) => g.TargetGroupArn === app.targetGroupArn)?.Weight).toBe(0);
    }
  }, 180_000);

  it("rolls back during the bake with StopServiceDeployment: production is on blue within one request", async () => {
    const v3 = await t.pushImage(app, "v3");
    await t.deployImage(app, v3);
    const paused = await waitForStage("POST_TEST_TRAFFIC_SHIFT");
    await t.ecs.send(
      new ContinueServiceDeploymentCommand({
        serviceDeploymentArn: paused.serviceDeploymentArn,
        hookId: paused.lifecycleHookDetails?.[0]?.hookId,
      }),
    );
    await waitForStage("BAKE_TIME");
    expect((await t.get(app, "/version")).body).toBe("v3");

    const load = t.load(app, { max: 4000, pauseMs: 5 });
    await new Promise((r) => setTimeout(r, 300));
    const decidedAt = Date.now();
    await t.ecs.send(
      new StopServiceDeploymentCommand({
        serviceDeploymentArn: paused.serviceDeploymentArn,
        stopType: "ROLLBACK",
      }),
    );
    const answeredAt = Date.now();
    const rolledBack = await waitForStatus("ROLLBACK_SUCCESSFUL");
    const results = await load.stop();
    expect(results.filter((r) => r.status !== 200)).toEqual([]);
    const late = results.filter((r) => r.sentAt >= answeredAt && r.body !== "v2");
    expect(late).toEqual([]);
    const firstBlue = results.find((r) => r.sentAt >= decidedAt && r.body === "v2");
    expect(firstBlue).toBeDefined();
    console.log(
      `rollback: StopServiceDeployment answered in ${answeredAt - decidedAt} ms; first request on blue answered ${(firstBlue?.at ?? 0) - decidedAt} ms after the decision`,
    );
    expect(rolledBack.rollback?.reason).toMatch(/StopServiceDeployment/);
    expect((await t.get(app, "/version", app.testPort)).body).toBe("v2");
  }, 180_000);
});
