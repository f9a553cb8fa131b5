import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  ApplicationAutoScalingClient,
  DeleteScalingPolicyCommand,
  DeregisterScalableTargetCommand,
  DescribeScalableTargetsCommand,
  DescribeScalingActivitiesCommand,
  DescribeScalingPoliciesCommand,
  PutScalingPolicyCommand,
  RegisterScalableTargetCommand,
} from "@aws-sdk/client-application-auto-scaling";
import { CloudWatchClient, DescribeAlarmsCommand } from "@aws-sdk/client-cloudwatch";
import {
  CreateClusterCommand,
  CreateServiceCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
} from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EcsPlugin } from "../src/services/ecs/plugin.js";
import { LogsPlugin } from "../src/services/logs/plugin.js";
import { startTestRegion, type TestRegion } from "../src/testing/index.js";
import { errorOf } from "./aws-error.js";

// Application Auto Scaling through @aws-sdk/client-application-auto-scaling over real HTTP: each
// operation, the policies' alarms as CloudWatch's DescribeAlarms shows them, and AWS's errors.

let region: TestRegion;
let aas: ApplicationAutoScalingClient;
let cloudwatch: CloudWatchClient;

const TARGET = {
  ServiceNamespace: "ecs" as const,
  ResourceId: "service/platform/api-qa",
  ScalableDimension: "ecs:service:DesiredCount" as const,
};

const ecsRegion = (stateDir?: string) => {
  const logs = new LogsPlugin();
  return startTestRegion(
    [logs, new EcsPlugin({ logs, taskPorts: { from: 44700, to: 44749 }, log: () => {} })],
    stateDir,
  );
};

/** Cluster `platform` and service `api-qa` with no tasks: something to scale. */
async function createIdleService(r: TestRegion): Promise<void> {
  const ecs = r.client(ECSClient);
  await ecs.send(new CreateClusterCommand({ clusterName: "platform" }));
  const td = await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: "api-qa",
      containerDefinitions: [
        { name: "api", image: "000000000000.dkr.ecr.us-east-1.localhost:4566/api:1", memory: 128 },
      ],
    }),
  );
  await ecs.send(
    new CreateServiceCommand({
      cluster: "platform",
      serviceName: "api-qa",
      taskDefinition: td.taskDefinition?.taskDefinitionArn,
      desiredCount: 0,
    }),
  );
}

beforeAll(async () => {
  region = await ecsRegion();
  aas = region.client(ApplicationAutoScalingClient);
  cloudwatch = region.client(CloudWatchClient);
  await createIdleService(region);
}, 30_000);

afterAll(async () => {
  await region?.cleanup();
}, 30_000);

const backlogPolicy = (name: string, extra: Record<string, unknown> = {}) =>
  new PutScalingPolicyCommand({
    ...TARGET,
    PolicyName: name,
    PolicyType: "TargetTrackingScaling",
    TargetTrackingScalingPolicyConfiguration: {
      TargetValue: 5,
      CustomizedMetricSpecification: {
        Namespace: "Platform/Api",
        MetricName: "BacklogPerTask",
        Dimensions: [{ Name: "Service", Value: "api-qa" }],
        Statistic: "Average",
      },
      ScaleOutCooldown: 60,
      ScaleInCooldown: 120,
      ...extra,
    },
  });

describe("Application Auto Scaling API", () => {
  it("registers, updates and describes a scalable target", async () => {
    const out = await aas.send(
      new RegisterScalableTargetCommand({ ...TARGET, MinCapacity: 1, MaxCapacity: 4 }),
    );
    expect(out.ScalableTargetARN).toMatch(
      /^arn:aws:application-autoscaling:us-east-1:000000000000:scalable-target\//,
    );
    await aas.send(new RegisterScalableTargetCommand({ ...TARGET, MaxCapacity: 6 }));
    const { ScalableTargets } = await aas.send(
      new DescribeScalableTargetsCommand({ ServiceNamespace: "ecs" }),
    );
    expect(ScalableTargets).toHaveLength(1);
    expect(ScalableTargets![0]).toMatchObject({
      ...TARGET,
      MinCapacity: 1,
      MaxCapacity: 6,
      ScalableTargetARN: out.ScalableTargetARN,
    });
    expect(ScalableTargets![0]!.CreationTime).toBeInstanceOf(Date);
    const none = await aas.send(
      new DescribeScalableTargetsCommand({
        ServiceNamespace: "ecs",
        ResourceIds: ["service/platform/other"],
      }),
    );
    expect(none.ScalableTargets).toEqual([]);
  });

  it("puts target tracking policies with their two alarms, describes and deletes them", async () => {
    const put = await aas.send(backlogPolicy("backlog"));
    expect(put.PolicyARN).toMatch(
      /^arn:aws:autoscaling:us-east-1:000000000000:scalingPolicy:[0-9a-f-]{36}:resource\/ecs\/service\/platform\/api-qa:policyName\/backlog$/,
    );
    const names = put.Alarms!.map((a) => a.AlarmName!);
    expect(names).toEqual([
      expect.stringMatching(/^TargetTracking-service\/platform\/api-qa-AlarmHigh-[0-9a-f-]{36}$/),
      expect.stringMatching(/^TargetTracking-service\/platform\/api-qa-AlarmLow-[0-9a-f-]{36}$/),
    ]);
    const { MetricAlarms } = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: names }));
    expect(
      MetricAlarms!.map((a) => [
        a.AlarmName,
        a.Threshold,
        a.EvaluationPeriods,
        a.Period,
        a.ComparisonOperator,
      ]),
    ).toEqual([
      [names[0], 5, 3, 60, "GreaterThanThreshold"],
      [names[1], 4.5, 15, 60, "LessThanThreshold"],
    ]);
    expect(MetricAlarms![0]!.AlarmActions).toEqual([put.PolicyARN]);

    const cpu = await aas.send(
      new PutScalingPolicyCommand({
        ...TARGET,
        PolicyName: "cpu",
        PolicyType: "TargetTrackingScaling",
        TargetTrackingScalingPolicyConfiguration: {
          TargetValue: 70,
          PredefinedMetricSpecification: { PredefinedMetricType: "ECSServiceAverageCPUUtilization" },
          DisableScaleIn: true,
        },
      }),
    );
    expect(cpu.Alarms).toHaveLength(1);
    const cpuAlarm = await cloudwatch.send(
      new DescribeAlarmsCommand({ AlarmNames: [cpu.Alarms![0]!.AlarmName!] }),
    );
    expect(cpuAlarm.MetricAlarms![0]).toMatchObject({
      Namespace: "AWS/ECS",
      MetricName: "CPUUtilization",
      Dimensions: [
        { Name: "ClusterName", Value: "platform" },
        { Name: "ServiceName", Value: "api-qa" },
      ],
    });

    const { ScalingPolicies } = await aas.send(new DescribeScalingPoliciesCommand(TARGET));
    expect(ScalingPolicies!.map((p) => p.PolicyName).sort()).toEqual(["backlog", "cpu"]);
    const cpuPolicy = ScalingPolicies!.find((p) => p.PolicyName === "cpu")!;
    expect(cpuPolicy.TargetTrackingScalingPolicyConfiguration).toEqual({
      TargetValue: 70,
      PredefinedMetricSpecification: { PredefinedMetricType: "ECSServiceAverageCPUUtilization" },
      ScaleOutCooldown: 300,
      ScaleInCooldown: 300,
      DisableScaleIn: true,
    });

    await aas.send(new DeleteScalingPolicyCommand({ ...TARGET, PolicyName: "backlog" }));
    const gone = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: names }));
    expect(gone.MetricAlarms).toEqual([]);
    const activities = await aas.send(new DescribeScalingActivitiesCommand(TARGET));
    expect(activities.ScalingActivities).toEqual([]);
  });

  it("answers AWS's errors for what it cannot do", async () => {
    expect(
      await errorOf(
        aas.send(
          new RegisterScalableTargetCommand({
            ...TARGET,
            ResourceId: "service/platform/nope",
            MinCapacity: 1,
            MaxCapacity: 2,
          }),
        ),
      ),
    ).toEqual({
      name: "ValidationException",
      message: "ECS service doesn't exist: service/platform/nope",
      status: 400,
    });
    expect(
      await errorOf(
        aas.send(new RegisterScalableTargetCommand({ ...TARGET, MinCapacity: 5, MaxCapacity: 2 })),
      ),
    ).toMatchObject({
      name: "ValidationException",
      message: "Minimum capacity (5) cannot be greater than maximum capacity (2)",
    });
    expect(
      await errorOf(aas.send(new DeleteScalingPolicyCommand({ ...TARGET, PolicyName: "missing" }))),
    ).toMatchObject({ name: "ObjectNotFoundException", status: 400 });
    expect(await errorOf(aas.send(backlogPolicy("bad", { TargetValue: -1 })))).toMatchObject({
      name: "ValidationException",
      message: "TargetValue must be greater than 0",
    });
    expect(
      await errorOf(
        aas.send(new PutScalingPolicyCommand({ ...TARGET, PolicyName: "step", PolicyType: "StepScaling" })),
      ),
    ).toMatchObject({
      name: "ValidationException",
      message: expect.stringContaining("TargetTrackingScaling policies only"),
    });
    expect(
      await errorOf(aas.send(new DescribeScalableTargetsCommand({ ServiceNamespace: "dynamodb" }))),
    ).toMatchObject({
      name: "ValidationException",
      message: "The local region scales ECS services only, not dynamodb",
    });
    expect(
      await errorOf(aas.send(new DescribeScalableTargetsCommand({ ServiceNamespace: "nope" as "ecs" }))),
    ).toMatchObject({
      name: "ValidationException",
      message: expect.stringContaining("Member must satisfy enum value set"),
    });
  });

  it("deregisters a target with its policies and their alarms", async () => {
    const { ScalingPolicies } = await aas.send(
      new DescribeScalingPoliciesCommand({ ServiceNamespace: "ecs" }),
    );
    const alarmNames = ScalingPolicies!.flatMap((p) => p.Alarms!.map((a) => a.AlarmName!));
    expect(alarmNames).toHaveLength(1);
    await aas.send(new DeregisterScalableTargetCommand(TARGET));
    expect(
      (await aas.send(new DescribeScalableTargetsCommand({ ServiceNamespace: "ecs" }))).ScalableTargets,
    ).toEqual([]);
    expect(
      (await aas.send(new DescribeScalingPoliciesCommand({ ServiceNamespace: "ecs" }))).ScalingPolicies,
    ).toEqual([]);
    expect(
      (await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: alarmNames }))).MetricAlarms,
    ).toEqual([]);
    expect(await errorOf(aas.send(new DeregisterScalableTargetCommand(TARGET)))).toMatchObject({
      name: "ObjectNotFoundException",
      message:
        "No scalable target registered for service namespace: ecs, resource ID: service/platform/api-qa, scalable dimension: ecs:service:DesiredCount",
    });
  });
});

describe("Application Auto Scaling state", () => {
  it("keeps targets, policies and their alarms across a restart", async () => {
    const dir = mkdtempSync(join(tmpdir(), "autoscaling-restart-"));
    try {
      let r = await ecsRegion(dir);
      await createIdleService(r);
      await r
        .client(ApplicationAutoScalingClient)
        .send(new RegisterScalableTargetCommand({ ...TARGET, MinCapacity: 1, MaxCapacity: 2 }));
      const put = await r.client(ApplicationAutoScalingClient).send(backlogPolicy("backlog"));
      await r.stop();
      r = await ecsRegion(dir);
      try {
        const { ScalingPolicies } = await r
          .client(ApplicationAutoScalingClient)
          .send(new DescribeScalingPoliciesCommand(TARGET));
        expect(ScalingPolicies?.map((p) => [p.PolicyARN, p.Alarms])).toEqual([[put.PolicyARN, put.Alarms]]);
        const names = put.Alarms!.map((a) => a.AlarmName!);
        const { MetricAlarms } = await r
          .client(CloudWatchClient)
          .send(new DescribeAlarmsCommand({ AlarmNames: names }));
        expect(MetricAlarms?.map((a) => a.AlarmName)).toEqual(names);
      } finally {
        await r.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
