import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PutMetricAlarmCommand, SetAlarmStateCommand } from "@aws-sdk/client-cloudwatch";
import { ListServiceDeploymentsCommand, UpdateServiceCommand } from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EcsTestRegion, type TestApp } from "../../src/testing/index.js";

// Deployment alarms through the API, as AWS tells you to test them: SetAlarmState during a deploy
// of the test image. The alarm has a 10 s period (one evaluation period), so ECS bakes for 20 s after the new tasks serve.

const ALARM = "app-qa-5xx";
let t: EcsTestRegion;
let qa: TestApp;
const stateDir = mkdtempSync(join(tmpdir(), "ecs-deployment-alarms-"));

beforeAll(async () => {
  t = await EcsTestRegion.start({ taskPorts: { from: 43600, to: 43649 }, stateDir });
  await t.createEdge();
  qa = await t.createApp("app-qa", "qa.localhost", 10);
  const service = await t.createService(qa, await t.registerApp(qa, await t.pushImage(qa, "v1")));
  await t.waitForRollout(qa, service.deployments?.[0]?.id as string);
  await t.cloudwatch.send(
    new PutMetricAlarmCommand({
      AlarmName: ALARM,
      Namespace: "App",
      MetricName: "5xx",
      Statistic: "Sum",
      Period: 10,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: "GreaterThanOrEqualToThreshold",
      TreatMissingData: "notBreaching",
    }),
  );
  await t.ecs.send(
    new UpdateServiceCommand({
      cluster: "platform",
      service: "app-qa",
      deploymentConfiguration: { alarms: { alarmNames: [ALARM], enable: true, rollback: true } },
    }),
  );
}, 60_000);

afterAll(async () => {
  await t?.region.cleanup();
  rmSync(stateDir, { recursive: true, force: true });
}, 30_000);

describe("ECS deployment alarms", () => {
  it("round-trip through DescribeServices", async () => {
    const service = await t.describeService(qa);
    expect(service.deploymentConfiguration?.alarms).toEqual({
      alarmNames: [ALARM],
      enable: true,
      rollback: true,
    });
  });

  it("an alarm that stays OK lets the deploy complete, after the bake time", async () => {
    const startedAt = Date.now();
    const deployment = await t.deployImage(qa, await t.pushImage(qa, "v2"));
    const done = await t.waitForRollout(qa, deployment, 60_000);
    expect(done.deployments?.find((d) => d.id === deployment)?.rolloutState).toBe("COMPLETED");
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(10_000);
  }, 70_000);

  it("SetAlarmState ALARM during the rollout fails it, names the alarm, and ECS rolls back", async () => {
    const load = t.load(qa, { max: 1500, pauseMs: 50 });
    const deployment = await t.deployImage(qa, await t.pushImage(qa, "v3"));
    await t.cloudwatch.send(
      new SetAlarmStateCommand({
        AlarmName: ALARM,
        StateValue: "ALARM",
        StateReason: "testing the rollback",
      }),
    );
    const failed = await t.waitForRollout(qa, deployment, 30_000);
    const ours = failed.deployments?.find((d) => d.id === deployment);
    expect(ours?.rolloutState).toBe("FAILED");
    expect(ours?.rolloutStateReason).toContain(ALARM);
    const rollback = failed.deployments?.find((d) => d.status === "PRIMARY");
    expect(rollback?.taskDefinition).toMatch(/task-definition\/app-qa:2$/);
    const settled = await t.waitForRollout(qa, rollback?.id as string, 60_000);
    const seen = await load.stop();
    expect(settled.deployments?.map((d) => d.rolloutState)).toEqual(["COMPLETED"]);
    expect(settled.events?.map((e) => e.message)).toContain(
      `(service app-qa) (deployment ${deployment}) deployment failed: alarm detected.`,
    );
    expect(seen.filter((a) => a.status !== 200)).toEqual([]);
    const sds = await t.ecs.send(
      new ListServiceDeploymentsCommand({ cluster: "platform", service: "app-qa" }),
    );
    expect(sds.serviceDeployments?.[0]?.status).toBe("ROLLBACK_SUCCESSFUL");
  }, 100_000);

  it("keeps the alarms and what they triggered across a restart", async () => {
    await t.region.stop();
    t = await EcsTestRegion.start({ taskPorts: { from: 43650, to: 43699 }, stateDir });
    const service = await t.describeService(qa);
    expect(service.deploymentConfiguration?.alarms?.alarmNames).toEqual([ALARM]);
    expect(service.deployments?.map((d) => d.rolloutState)).toEqual(["COMPLETED"]);
    const sds = await t.ecs.send(
      new ListServiceDeploymentsCommand({ cluster: "platform", service: "app-qa" }),
    );
    const rolledBack = sds.serviceDeployments?.find((sd) => sd.status === "ROLLBACK_SUCCESSFUL");
    expect(rolledBack).toBeDefined();
  }, 30_000);
});
