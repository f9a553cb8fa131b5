import { join } from "node:path";
import {
  ApplicationAutoScalingClient,
  DescribeScalableTargetsCommand,
  DescribeScalingPoliciesCommand,
} from "@aws-sdk/client-application-auto-scaling";
import { CloudWatchClient, DescribeAlarmsCommand } from "@aws-sdk/client-cloudwatch";
import {
  CreateClusterCommand,
  CreateServiceCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
} from "@aws-sdk/client-ecs";
import { loadSpec, type PlatformSpec } from "@platform/env";
import { EcsPlugin, LogsPlugin } from "@platform/local-region";
import { startTestRegion, type TestRegion } from "@platform/local-region/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureAutoscaling, scalingMetricCadence } from "../../src/local/autoscaling.js";
import { CLUSTER } from "../../src/local/bootstrap.js";
import { regionClients } from "../../src/local/clients.js";

// `npm start`'s auto scaling on a real local region, through the SDK: the spec's min/max and the
// Pulumi program's policies (CPU for every service, BacklogPerTask for the API), put again on a
// restart without new alarms, and a backlog policy the spec drops deleted.

const specFile = join(import.meta.dirname, "..", "..", "..", "env", "platform.yaml");
let region: TestRegion;
let spec: PlatformSpec;
let aas: ApplicationAutoScalingClient;

beforeAll(async () => {
  const logs = new LogsPlugin();
  region = await startTestRegion([logs, new EcsPlugin({ logs, taskPorts: { from: 44800, to: 44809 } })]);
  aas = region.client(ApplicationAutoScalingClient);
  spec = loadSpec(specFile);
  const ecs = region.client(ECSClient);
  await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
  const td = await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: "idle",
      containerDefinitions: [
        { name: "app", image: "000000000000.dkr.ecr.us-east-1.localhost:4566/idle:1", memory: 64 },
      ],
    }),
  );
  for (const serviceName of ["api-qa", "media-server-qa"]) {
    await ecs.send(
      new CreateServiceCommand({
        cluster: CLUSTER,
        serviceName,
        taskDefinition: td.taskDefinition?.taskDefinitionArn,
        desiredCount: 0,
      }),
    );
  }
}, 60_000);

afterAll(async () => {
  await region?.cleanup();
});

const clients = () => regionClients(region.endpoint, "us-east-1", region.credentials);
const policies = async () =>
  (await aas.send(new DescribeScalingPoliciesCommand({ ServiceNamespace: "ecs" }))).ScalingPolicies ?? [];

describe("npm start's auto scaling", () => {
  it("registers the spec's targets and the Pulumi program's policies, and puts them again on a restart", async () => {
    const lines: string[] = [];
    for (const s of [
      { app: "api", env: "qa", name: "api-qa" },
      { app: "media-server", env: "qa", name: "media-server-qa" },
    ] as const) {
      await ensureAutoscaling(clients(), spec, s, (line) => lines.push(line));
    }
    const api = spec.environments.qa.services.api.autoscaling;
    const { ScalableTargets } = await aas.send(
      new DescribeScalableTargetsCommand({ ServiceNamespace: "ecs" }),
    );
    expect(ScalableTargets?.find((t) => t.ResourceId === "service/platform/api-qa")).toMatchObject({
      MinCapacity: api.minCount,
      MaxCapacity: api.maxCount,
    });
    const first = await policies();
    expect(first.map((p) => p.PolicyName).sort()).toEqual([
      "api-qa-backlog",
      "api-qa-cpu",
      "media-server-qa-cpu",
    ]);
    expect(
      first.find((p) => p.PolicyName === "api-qa-backlog")?.TargetTrackingScalingPolicyConfiguration,
    ).toMatchObject({
      TargetValue: api.backlogPerTaskTarget,
      CustomizedMetricSpecification: {
        Namespace: "Platform/Transcoding",
        MetricName: "BacklogPerTask",
        Dimensions: [{ Name: "Environment", Value: "qa" }],
      },
      ScaleOutCooldown: 60,
      ScaleInCooldown: 300,
    });
    expect(lines).toContain(`auto scaling api-qa: ${api.minCount}..${api.maxCount} tasks`);

    await ensureAutoscaling(clients(), spec, { app: "api", env: "qa", name: "api-qa" }, () => {});
    const again = await policies();
    expect(again.map((p) => [p.PolicyARN, p.Alarms])).toEqual(first.map((p) => [p.PolicyARN, p.Alarms]));
    const alarms = await region
      .client(CloudWatchClient)
      .send(new DescribeAlarmsCommand({ AlarmNamePrefix: "TargetTracking-" }));
    expect(alarms.MetricAlarms).toHaveLength(6);
  });

  it("deletes the backlog policy when the spec drops its target", async () => {
    const { backlogPerTaskTarget: _, ...rest } = spec.environments.qa.services.api.autoscaling;
    const dropped = structuredClone(spec);
    dropped.environments.qa.services.api.autoscaling = rest;
    await ensureAutoscaling(clients(), dropped, { app: "api", env: "qa", name: "api-qa" }, () => {});
    expect((await policies()).map((p) => p.PolicyName).sort()).toEqual(["api-qa-cpu", "media-server-qa-cpu"]);
  });

  it("takes the spec's shorter local cadence: its cooldowns, and high-resolution metrics twice a period", async () => {
    const short = structuredClone(spec);
    short.local.autoscaling = {
      alarmPeriodSeconds: 10,
      highEvaluationPeriods: 1,
      lowEvaluationPeriods: 3,
      scaleOutCooldownSeconds: 10,
      scaleInCooldownSeconds: 20,
    };
    await ensureAutoscaling(clients(), short, { app: "api", env: "qa", name: "api-qa" }, () => {});
    const cpu = (await policies()).find((p) => p.PolicyName === "api-qa-cpu");
    expect(cpu?.TargetTrackingScalingPolicyConfiguration).toMatchObject({
      ScaleOutCooldown: 10,
      ScaleInCooldown: 20,
    });
    expect(scalingMetricCadence(short)).toEqual({ intervalMs: 5_000, storageResolution: 1 });
    expect(scalingMetricCadence(spec)).toBeUndefined();
  });
});
