import {
  ApplicationAutoScalingClient,
  DescribeScalingActivitiesCommand,
  PutScalingPolicyCommand,
  RegisterScalableTargetCommand,
} from "@aws-sdk/client-application-auto-scaling";
import { PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLUSTER, EcsTestRegion, type TestApp, waitFor } from "../src/testing/index.js";

// Target tracking end to end in the region: an ECS service as a scalable target, a policy on a
// custom metric; PutMetricData over the target puts AlarmHigh into ALARM and the service's desired
// count goes up (within max) and its tasks run; under the target, AlarmLow brings it back down after
// the cooldown. Alarms are 10 s periods here (1 of them high, 2 low) instead of AWS's minutes, so
// the metric is high-resolution: a 10 s alarm sees no standard-resolution (1-minute) data.

let t: EcsTestRegion;
let app: TestApp;
let aas: ApplicationAutoScalingClient;

const RESOURCE = `service/${CLUSTER}/worker-qa`;
const COOLDOWN = 10;

beforeAll(async () => {
  t = await EcsTestRegion.start({
    taskPorts: { from: 44750, to: 44799 },
    autoscalingAlarms: { periodSeconds: 10, highEvaluationPeriods: 1, lowEvaluationPeriods: 2 },
  });
  aas = t.region.client(ApplicationAutoScalingClient);
  await t.createEdge();
  app = await t.createApp("worker-qa", "worker.localhost", 10, 1);
  const image = await t.pushImage(app, "v1");
  await t.createService(app, await t.registerApp(app, image), 1);
  await t.steady(app);
}, 90_000);

afterAll(async () => {
  await t?.region.cleanup();
}, 60_000);

const putBacklog = (value: number) =>
  t.cloudwatch.send(
    new PutMetricDataCommand({
      Namespace: "Platform/Test",
      MetricData: [
        {
          MetricName: "BacklogPerTask",
          Dimensions: [{ Name: "Service", Value: "worker-qa" }],
          Value: value,
          StorageResolution: 1,
        },
      ],
    }),
  );

/** Keeps the metric at `value` (a datum every second) until the service's desired count is `desired`. */
const holdMetricUntil = (value: number, desired: number, timeoutMs: number) =>
  waitFor(
    `desired count ${desired} with the metric at ${value}`,
    async () => {
      await putBacklog(value);
      return (await t.describeService(app)).desiredCount === desired;
    },
    timeoutMs,
    1000,
  );

describe("target tracking on an ECS service", () => {
  it("scales out on AlarmHigh within max, and in on AlarmLow after the cooldown", async () => {
    await aas.send(
      new RegisterScalableTargetCommand({
        ServiceNamespace: "ecs",
        ResourceId: RESOURCE,
        ScalableDimension: "ecs:service:DesiredCount",
        MinCapacity: 1,
        MaxCapacity: 3,
      }),
    );
    const policy = await aas.send(
      new PutScalingPolicyCommand({
        ServiceNamespace: "ecs",
        ResourceId: RESOURCE,
        ScalableDimension: "ecs:service:DesiredCount",
        PolicyName: "backlog",
        PolicyType: "TargetTrackingScaling",
        TargetTrackingScalingPolicyConfiguration: {
          TargetValue: 10,
          CustomizedMetricSpecification: {
            Namespace: "Platform/Test",
            MetricName: "BacklogPerTask",
            Dimensions: [{ Name: "Service", Value: "worker-qa" }],
            Statistic: "Average",
          },
          ScaleOutCooldown: COOLDOWN,
          ScaleInCooldown: COOLDOWN,
        },
      }),
    );
    const [high, low] = policy.Alarms!.map((a) => a.AlarmName!);

    // 25 against a target of 10: ceil(1 × 25 / 10) = 3, which is also max.
    await holdMetricUntil(25, 3, 60_000);
    await waitFor(
      "three running tasks",
      async () => (await t.describeService(app)).runningCount === 3,
      60_000,
      500,
    );

    // 2 against 10: ceil(3 × 2 / 10) = 1, which is min.
    await holdMetricUntil(2, 1, 90_000);
    await waitFor(
      "one running task",
      async () => (await t.describeService(app)).runningCount === 1,
      60_000,
      500,
    );

    const { ScalingActivities } = await aas.send(
      new DescribeScalingActivitiesCommand({ ServiceNamespace: "ecs", ResourceId: RESOURCE }),
    );
    expect(ScalingActivities!.map((a) => [a.Description, a.Cause, a.StatusCode, a.StatusMessage])).toEqual([
      [
        "Setting desired count to 1.",
        `monitor alarm ${low} in state ALARM triggered policy backlog`,
        "Successful",
        "Successfully set desired count to 1. Change successfully fulfilled by ecs.",
      ],
      [
        "Setting desired count to 3.",
        `monitor alarm ${high} in state ALARM triggered policy backlog`,
        "Successful",
        "Successfully set desired count to 3. Change successfully fulfilled by ecs.",
      ],
    ]);
    const [scaleIn, scaleOut] = ScalingActivities!.map((a) => a.StartTime!.getTime());
    expect(scaleIn! - scaleOut!).toBeGreaterThanOrEqual(COOLDOWN * 1000);
  }, 240_000);
});
