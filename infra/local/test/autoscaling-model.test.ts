import { describe, expect, it } from "vitest";
import type { ScalableResource } from "../src/contracts.js";
import { LocalScalableResources } from "../src/runtime/autoscaling/scalable-resources.js";
import { breachingValue, ScalingRunner } from "../src/runtime/autoscaling/scaling-runner.js";
import type { EvaluatorClock } from "../src/runtime/cloudwatch/alarm-evaluator.js";
import { AWS_ALARM_SETTINGS } from "../src/services/application-autoscaling/alarms.js";
import {
  clamp,
  proportionalCapacity,
  type ScalingRequest,
  scaledCapacity,
} from "../src/services/application-autoscaling/capacity.js";
import {
  AutoScalingModel,
  emptyAutoScalingState,
  type TargetTrackingConfig,
} from "../src/services/application-autoscaling/model.js";
import { CloudWatchModel, emptyCloudWatchState } from "../src/services/cloudwatch/model.js";

// Target tracking's rules on plain state with a test clock: the capacity math, bounds and
// cooldowns; the policies' alarms in a real CloudWatch model; the runner invoking a policy while
// its alarm is in ALARM. No wire, no disk.

const START = Date.UTC(2026, 11, 3, 10, 0, 0);
const SCOPE = { region: "us-east-1", accountId: "000000000000" };
const KEY = {
  serviceNamespace: "ecs",
  resourceId: "service/platform/api-qa",
  scalableDimension: "ecs:service:DesiredCount",
};

function request(over: Partial<ScalingRequest>): ScalingRequest {
  return {
    direction: "out",
    current: 2,
    metric: 100,
    target: 50,
    min: 1,
    max: 10,
    scaleOutCooldown: 60,
    scaleInCooldown: 120,
    now: START,
    history: {},
    ...over,
  };
}

describe("target tracking capacity", () => {
  it("is proportional and rounds up: ceil(current × metric / target)", () => {
    expect(proportionalCapacity(2, 100, 50)).toBe(4);
    expect(proportionalCapacity(3, 60, 50)).toBe(4);
    expect(proportionalCapacity(1, 75, 25)).toBe(3); // 3.0000000000000004 in floating point
    expect(proportionalCapacity(4, 20, 50)).toBe(2); // 1.6 → 2: the fleet left stays at or under the target
    expect(proportionalCapacity(0, 80, 50)).toBe(2); // an empty fleet counts as one task
  });

  it("is clamped to the target's min and max", () => {
    expect(clamp(12, 1, 10)).toBe(10);
    expect(clamp(0, 1, 10)).toBe(1);
    expect(scaledCapacity(request({ metric: 1000 }))).toBe(10);
    expect(scaledCapacity(request({ direction: "in", current: 3, metric: 1 }))).toBe(1);
    expect(scaledCapacity(request({ current: 10, metric: 1000 }))).toBeUndefined();
    expect(scaledCapacity(request({ direction: "in", current: 1, metric: 1 }))).toBeUndefined();
  });

  it("never scales in from the high alarm nor out from the low one", () => {
    expect(scaledCapacity(request({ metric: 20 }))).toBeUndefined();
    expect(scaledCapacity(request({ direction: "in", metric: 100 }))).toBeUndefined();
  });

  it("within the scale-out cooldown scales out only for a larger scale-out from where the last started", () => {
    const history = { lastScaleOut: { at: START - 30_000, from: 2 } };
    // The last scale-out went 2 → 4; the metric is still high because the new tasks are not there yet.
    expect(scaledCapacity(request({ current: 4, metric: 100, history }))).toBeUndefined();
    expect(scaledCapacity(request({ current: 4, metric: 150, history }))).toBe(6);
    // Once the cooldown is over, the capacity now counts.
    expect(scaledCapacity(request({ current: 4, metric: 100, history, now: START + 30_000 }))).toBe(8);
  });

  it("scales in only after both cooldowns", () => {
    const scaleIn = (history: ScalingRequest["history"], now = START) =>
      scaledCapacity(request({ direction: "in", current: 4, metric: 20, history, now }));
    expect(scaleIn({ lastScaleIn: { at: START - 60_000 } })).toBeUndefined();
    expect(scaleIn({ lastScaleIn: { at: START - 120_000 } })).toBe(2);
    expect(scaleIn({ lastScaleOut: { at: START - 59_000, from: 2 } })).toBeUndefined();
    expect(scaleIn({ lastScaleOut: { at: START - 60_000, from: 2 } })).toBe(2);
  });
});

const CUSTOM: TargetTrackingConfig = {
  targetValue: 10,
  customized: {
    namespace: "Platform/Api",
    metricName: "BacklogPerTask",
    dimensions: [{ Name: "Service", Value: "api-qa" }],
    statistic: "Average",
  },
  scaleOutCooldown: 60,
  scaleInCooldown: 120,
  disableScaleIn: false,
};

function setup() {
  let now = START;
  const cloudwatch = new CloudWatchModel(emptyCloudWatchState(), undefined, () => now);
  const model = new AutoScalingModel(emptyAutoScalingState(), cloudwatch, AWS_ALARM_SETTINGS, () => now);
  model.registerScalableTarget({ ...KEY, minCapacity: 1, maxCapacity: 5 }, SCOPE);
  return { cloudwatch, model, advance: (ms: number) => (now += ms), now: () => now };
}

describe("the model", () => {
  it("creates AWS's two alarms with a policy, keeps them on update, deletes them with it", () => {
    const { cloudwatch, model } = setup();
    const policy = model.putScalingPolicy({ ...KEY, policyName: "backlog", config: CUSTOM }, SCOPE);
    const [high, low] = policy.alarms;
    expect(high!.name).toMatch(/^TargetTracking-service\/platform\/api-qa-AlarmHigh-[0-9a-f-]{36}$/);
    expect(low!.name).toBe(high!.name.replace("AlarmHigh", "AlarmLow"));
    const alarms = cloudwatch.state.alarms;
    expect(alarms[high!.name]!.config).toMatchObject({
      period: 60,
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
      threshold: 10,
      comparisonOperator: "GreaterThanThreshold",
      alarmActions: [policy.arn],
    });
    expect(alarms[low!.name]!.config).toMatchObject({
      evaluationPeriods: 15,
      threshold: 9,
      comparisonOperator: "LessThanThreshold",
    });

    const updated = model.putScalingPolicy(
      { ...KEY, policyName: "backlog", config: { ...CUSTOM, disableScaleIn: true } },
      SCOPE,
    );
    expect(updated.arn).toBe(policy.arn);
    expect(updated.alarms.map((a) => a.name)).toEqual([high!.name]);
    expect(Object.keys(alarms)).toEqual([high!.name]);

    model.deleteScalingPolicy(KEY, "backlog");
    expect(Object.keys(alarms)).toEqual([]);
    expect(() => model.deleteScalingPolicy(KEY, "backlog")).toThrow(/No scaling policy found/);
  });

  it("tracks ECS CPU as AWS/ECS CPUUtilization of the service; deregistering removes policies and alarms", () => {
    const { cloudwatch, model } = setup();
    const { customized: _, ...rest } = CUSTOM;
    const policy = model.putScalingPolicy(
      {
        ...KEY,
        policyName: "cpu",
        config: {
          ...rest,
          targetValue: 70,
          predefined: { predefinedMetricType: "ECSServiceAverageCPUUtilization" },
        },
      },
      SCOPE,
    );
    expect(cloudwatch.state.alarms[policy.alarms[0]!.name]!.config.metric).toMatchObject({
      namespace: "AWS/ECS",
      metricName: "CPUUtilization",
    });
    expect(() =>
      model.putScalingPolicy(
        {
          ...KEY,
          policyName: "alb",
          config: { ...rest, predefined: { predefinedMetricType: "ALBRequestCountPerTarget" } },
        },
        SCOPE,
      ),
    ).toThrow(/Unsupported metric type ALBRequestCountPerTarget/);
    model.deregisterScalableTarget(KEY);
    expect(cloudwatch.state.alarms).toEqual({});
    expect(model.state.policies).toEqual({});
    expect(() => model.putScalingPolicy({ ...KEY, policyName: "cpu", config: CUSTOM }, SCOPE)).toThrow(
      /No scalable target registered/,
    );
  });

  it("decides with AWS's wording, records the activity and the cooldown", () => {
    const { model, advance } = setup();
    const policy = model.putScalingPolicy({ ...KEY, policyName: "backlog", config: CUSTOM }, SCOPE);
    const high = policy.alarms[0]!.name;
    const decision = model.decide(policy.arn, high, 30, 1, () => 30)!;
    expect(decision).toMatchObject({
      from: 1,
      to: 3,
      cause: `monitor alarm ${high} in state ALARM triggered policy backlog`,
    });
    const activity = model.recordScaling(decision);
    expect(activity).toMatchObject({
      description: "Setting desired count to 3.",
      statusCode: "Successful",
      statusMessage: "Successfully set desired count to 3. Change successfully fulfilled by ecs.",
    });
    expect(model.decide(policy.arn, high, 30, 3, () => 30)).toBeUndefined();
    advance(60_000);
    expect(model.decide(policy.arn, high, 30, 3, () => 30)?.to).toBe(5); // 9, clamped
  });

  /** Two policies on one target, and their AlarmLow names. */
  const twoPolicies = () => {
    const { model, advance } = setup();
    const a = model.putScalingPolicy({ ...KEY, policyName: "a", config: CUSTOM }, SCOPE);
    const b = model.putScalingPolicy({ ...KEY, policyName: "b", config: CUSTOM }, SCOPE);
    advance(1);
    return { model, a, lowA: a.alarms[1]!.name, lowB: b.alarms[1]!.name };
  };

  it("scales in only when every policy of the target is ready to", () => {
    const { model, a, lowA, lowB } = twoPolicies();
    expect(model.decide(a.arn, lowA, 2, 4, (name) => (name === lowA ? 2 : undefined))).toBeUndefined();
    expect(
      model.decide(a.arn, lowA, 2, 4, (name) => (name === lowA || name === lowB ? 2 : undefined))?.to,
    ).toBe(1);
  });

  it("scales in to the largest capacity the policies ask for, as AWS does with several", () => {
    const { model, a, lowA, lowB } = twoPolicies();
    const values: Record<string, number> = { [lowA]: 2, [lowB]: 6 };
    // a alone would go to ceil(4 × 2 / 10) = 1; b asks for ceil(4 × 6 / 10) = 3.
    expect(model.decide(a.arn, lowA, 2, 4, (name) => values[name])?.to).toBe(3);
    values[lowB] = 9; // b asks for 4: no scale-in at all
    expect(model.decide(a.arn, lowA, 2, 4, (name) => values[name])).toBeUndefined();
  });
});

describe("the scaling runner", () => {
  it("invokes the policy on ALARM and again each period while it lasts, with the breaching datapoint", () => {
    const { cloudwatch, model, advance, now } = setup();
    const policy = model.putScalingPolicy(
      { ...KEY, policyName: "backlog", config: { ...CUSTOM, scaleOutCooldown: 0 } },
      SCOPE,
    );
    const high = policy.alarms[0]!.name;
    let desired = 1;
    const sets: number[] = [];
    const ecs: ScalableResource = {
      capacity: () => desired,
      setCapacity: (_id, n) => {
        desired = n;
        sets.push(n);
      },
    };
    const resources = new LocalScalableResources();
    resources.provide(KEY.scalableDimension, ecs);
    const clock: EvaluatorClock = { now, every: () => () => {} };
    let commits = 0;
    const runner = new ScalingRunner(
      model,
      { state: model.state, commit: () => (commits += 1) },
      cloudwatch,
      resources,
      { clock },
    );

    runner.tick();
    expect(sets).toEqual([]);
    const alarm = cloudwatch.state.alarms[high]!;
    Object.assign(alarm, { stateValue: "ALARM", stateReasonData: '{"recentDatapoints":[12.0,20.0]}' });
    runner.tick();
    expect(sets).toEqual([2]);
    expect(commits).toBe(1);
    advance(30_000);
    runner.tick(); // within the alarm's period: not invoked again
    expect(sets).toEqual([2]);
    advance(30_000);
    runner.tick();
    expect(sets).toEqual([2, 4]);
    expect(model.describeScalingActivities({ serviceNamespace: "ecs" }).map((a) => a.description)).toEqual([
      "Setting desired count to 4.",
      "Setting desired count to 2.",
    ]);
  });

  it("acts on the metric's newest datapoint while the alarm stays in ALARM, not the transition's", () => {
    const { cloudwatch, model, advance, now } = setup();
    const policy = model.putScalingPolicy({ ...KEY, policyName: "backlog", config: CUSTOM }, SCOPE);
    const low = policy.alarms[1]!.name;
    let desired = 4;
    const resources = new LocalScalableResources();
    resources.provide(KEY.scalableDimension, {
      capacity: () => desired,
      setCapacity: (_id, n) => (desired = n),
    });
    const clock: EvaluatorClock = { now, every: () => () => {} };
    const runner = new ScalingRunner(model, { state: model.state, commit: () => {} }, cloudwatch, resources, {
      clock,
    });
    // The alarm went into ALARM at 8 per task (4 × 8 / 10 → 4: no change); the backlog is 0 since.
    Object.assign(cloudwatch.state.alarms[low]!, {
      stateValue: "ALARM",
      stateReasonData: '{"recentDatapoints":[8.0]}',
    });
    const datum = (Value: number) =>
      cloudwatch.putMetricData(CUSTOM.customized!.namespace, [
        {
          MetricName: "BacklogPerTask",
          Dimensions: CUSTOM.customized!.dimensions,
          Value,
          Timestamp: new Date(now()),
        },
      ]);
    datum(0);
    advance(75_000); // the period is over and past the evaluation delay
    runner.tick();
    expect(desired).toBe(1);
  });

  it("records a refused capacity as a failed activity", () => {
    const { cloudwatch, model, now } = setup();
    const policy = model.putScalingPolicy({ ...KEY, policyName: "backlog", config: CUSTOM }, SCOPE);
    Object.assign(cloudwatch.state.alarms[policy.alarms[0]!.name]!, {
      stateValue: "ALARM",
      stateReasonData: '{"recentDatapoints":[20.0]}',
    });
    const resources = new LocalScalableResources();
    resources.provide(KEY.scalableDimension, {
      capacity: () => 1,
      setCapacity: () => {
        throw new Error("Service was not ACTIVE.");
      },
    });
    const clock: EvaluatorClock = { now, every: () => () => {} };
    new ScalingRunner(model, { state: model.state, commit: () => {} }, cloudwatch, resources, {
      clock,
      log: () => {},
    }).tick();
    expect(model.describeScalingActivities({ serviceNamespace: "ecs" })[0]).toMatchObject({
      statusCode: "Failed",
      statusMessage: "Failed to set desired count to 2. Reason: Service was not ACTIVE.",
    });
  });

  it("reads the newest real datapoint of the alarm's reason data", () => {
    const alarm = { stateReasonData: '{"recentDatapoints":[1.0,null,7.5,null]}' } as never;
    expect(breachingValue(alarm)).toBe(7.5);
    expect(breachingValue({} as never)).toBeUndefined();
  });
});
