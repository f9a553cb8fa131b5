import { describe, expect, it } from "vitest";
import type { AlarmStateView } from "../src/contracts.js";
import { weightsFor } from "../src/services/ecs/model/blue-green.js";
import {
  advanced,
  blueGreenWorld,
  createShiftingService,
  deployV2,
  settle,
  type World,
} from "./ecs-blue-green-fixtures.js";
import { register } from "./ecs-fixtures.js";

// ECS-native blue/green, canary and linear deployments followed stage by stage on the ECS model and
// a real ELBv2 model: where green's tasks go, which stage moves which rule's weights, what a PAUSE
// hook holds, and how a rollback puts traffic back.

const PAUSE_AFTER_TEST = [
  { targetType: "PAUSE", lifecycleStages: ["POST_TEST_TRAFFIC_SHIFT"], index: 0, timeoutInMinutes: 10 },
];

function stageOf(world: World, arn: string) {
  return world.model.describeServiceDeployments([arn]).serviceDeployments[0]?.shift?.stage;
}

function sdOf(world: World, arn: string) {
  const sd = world.model.describeServiceDeployments([arn]).serviceDeployments[0];
  if (!sd) throw new Error("no such service deployment");
  return sd;
}

function liveTasks(world: World, taskDefinitionArn: string) {
  return world.model
    .liveTasks()
    .filter((t) => t.desiredStatus === "RUNNING" && t.taskDefinitionArn === taskDefinitionArn);
}

describe("ECS BLUE_GREEN deployments", () => {
  it("starts green in the alternate group, tests it, pauses, shifts production at once, bakes, then stops blue and swaps the groups", () => {
    const world = blueGreenWorld();
    const { service, v1 } = createShiftingService(world, 2, {
      strategy: "BLUE_GREEN",
      bakeTimeInMinutes: 1,
      lifecycleHooks: PAUSE_AFTER_TEST,
    });
    expect(service.deployments.map((d) => d.rolloutState)).toEqual(["COMPLETED"]);
    expect(
      liveTasks(world, v1.taskDefinitionArn).every((t) => t.targets[0]?.targetGroupArn === world.arns.blue),
    ).toBe(true);

    const { v2, sd } = deployV2(world);
    expect(stageOf(world, sd.serviceDeploymentArn)).toBe("PRE_SCALE_UP");
    settle(world);
    const green = liveTasks(world, v2.taskDefinitionArn);
    expect(green).toHaveLength(2);
    expect(green.every((t) => t.targets[0]?.targetGroupArn === world.arns.green)).toBe(true);
    expect(liveTasks(world, v1.taskDefinitionArn)).toHaveLength(2);

    const paused = sdOf(world, sd.serviceDeploymentArn);
    expect(paused.shift?.stage).toBe("POST_TEST_TRAFFIC_SHIFT");
    expect(world.greenShare(world.arns.test)).toBe(100);
    expect(world.greenShare(world.arns.production)).toBe(0);
    expect(world.greenShare(world.arns.productionTwin)).toBe(0);
    const hook = paused.shift?.hooks[0];
    expect(hook).toMatchObject({ targetType: "PAUSE", status: "AWAITING_ACTION", timeoutAction: "ROLLBACK" });
    expect(hook?.hookId).toMatch(/^ecs-pause-[A-Za-z0-9_-]{43}$/);

    world.advance(120);
    settle(world);
    expect(stageOf(world, sd.serviceDeploymentArn)).toBe("POST_TEST_TRAFFIC_SHIFT");
    expect(world.greenShare(world.arns.production)).toBe(0);

    world.model.continueServiceDeployment({
      serviceDeploymentArn: sd.serviceDeploymentArn,
      hookId: hook?.hookId,
    });
    settle(world);
    expect(stageOf(world, sd.serviceDeploymentArn)).toBe("BAKE_TIME");
    expect(world.greenShare(world.arns.production)).toBe(100);
    expect(world.greenShare(world.arns.productionTwin)).toBe(100);
    expect(liveTasks(world, v1.taskDefinitionArn)).toHaveLength(2);

    world.advance(59);
    settle(world);
    expect(stageOf(world, sd.serviceDeploymentArn)).toBe("BAKE_TIME");
    world.advance(1);
    settle(world);
    expect(sdOf(world, sd.serviceDeploymentArn).status).toBe("SUCCESSFUL");
    expect(liveTasks(world, v1.taskDefinitionArn)).toHaveLength(0);
    expect(service.deployments.map((d) => [d.taskDefinition, d.rolloutState])).toEqual([
      [v2.taskDefinitionArn, "COMPLETED"],
    ]);
    expect(service.liveTargetGroups).toEqual([world.arns.green]);

    // The next deployment starts in the group that was blue, and moves traffic back to it.
    const v3 = register(world.model, "repo:v3", "api-prod");
    world.model.updateService(
      { cluster: "platform", service: "api-prod", taskDefinition: v3.taskDefinitionArn },
      world.tgExists,
    );
    settle(world);
    expect(
      liveTasks(world, v3.taskDefinitionArn).every((t) => t.targets[0]?.targetGroupArn === world.arns.blue),
    ).toBe(true);
    expect(world.greenShare(world.arns.test, world.arns.blue)).toBe(100);
    expect(world.greenShare(world.arns.production, world.arns.blue)).toBe(0);
  });

  it("rolls back at the hook: production never moved, green stops, blue was never restarted", () => {
    const world = blueGreenWorld();
    const { service, v1 } = createShiftingService(world, 1, {
      strategy: "BLUE_GREEN",
      lifecycleHooks: PAUSE_AFTER_TEST,
    });
    const blueTask = liveTasks(world, v1.taskDefinitionArn)[0];
    const { v2, sd } = deployV2(world);
    settle(world);
    const hookId = sdOf(world, sd.serviceDeploymentArn).shift?.hooks[0]?.hookId;
    world.model.continueServiceDeployment({
      serviceDeploymentArn: sd.serviceDeploymentArn,
      hookId,
      action: "ROLLBACK",
    });
    expect(world.greenShare(world.arns.test)).toBe(0);
    expect(world.greenShare(world.arns.production)).toBe(0);
    settle(world);
    const after = sdOf(world, sd.serviceDeploymentArn);
    expect(after.status).toBe("ROLLBACK_SUCCESSFUL");
    expect(after.shift?.hooks[0]?.status).toBe("FAILED");
    expect(liveTasks(world, v2.taskDefinitionArn)).toHaveLength(0);
    expect(liveTasks(world, v1.taskDefinitionArn).map((t) => t.taskArn)).toEqual([blueTask?.taskArn]);
    expect(service.taskDefinition).toBe(v1.taskDefinitionArn);
    expect(service.deployments.map((d) => [d.status, d.rolloutState])).toEqual([["PRIMARY", "COMPLETED"]]);
  });

  it("rolls back during the bake on StopServiceDeployment: production is back on blue when the call returns", () => {
    const world = blueGreenWorld();
    createShiftingService(world, 1, { strategy: "BLUE_GREEN", bakeTimeInMinutes: 5 });
    const { sd } = deployV2(world);
    settle(world);
    expect(stageOf(world, sd.serviceDeploymentArn)).toBe("BAKE_TIME");
    expect(world.greenShare(world.arns.production)).toBe(100);
    world.model.stopServiceDeployment({
      serviceDeploymentArn: sd.serviceDeploymentArn,
      stopType: "ROLLBACK",
    });
    expect(world.greenShare(world.arns.production)).toBe(0);
    expect(world.greenShare(world.arns.productionTwin)).toBe(0);
    expect(sdOf(world, sd.serviceDeploymentArn).status).toBe("ROLLBACK_IN_PROGRESS");
    settle(world);
    expect(sdOf(world, sd.serviceDeploymentArn)).toMatchObject({
      status: "ROLLBACK_SUCCESSFUL",
      statusReason: "Service deployment rolled back because of a StopServiceDeployment request.",
    });
  });

  it("rolls back when a deployment alarm goes to ALARM during the bake", () => {
    let alarm: AlarmStateView | undefined;
    const world = blueGreenWorld({
      alarms: { get: (name) => (name === "api-prod-5xx" ? alarm : undefined) },
    });
    createShiftingService(world, 1, {
      strategy: "BLUE_GREEN",
      bakeTimeInMinutes: 5,
      alarms: { alarmNames: ["api-prod-5xx"], enable: true, rollback: true },
    });
    const { sd } = deployV2(world);
    settle(world);
    expect(stageOf(world, sd.serviceDeploymentArn)).toBe("BAKE_TIME");
    world.advance(30);
    alarm = {
      alarmName: "api-prod-5xx",
      stateValue: "ALARM",
      stateReason: "Threshold Crossed",
      stateTransitionedAt: Date.now() + 10 ** 12,
      evaluationSeconds: 120,
    };
    settle(world, 1);
    expect(world.greenShare(world.arns.production)).toBe(0);
    settle(world);
    expect(sdOf(world, sd.serviceDeploymentArn)).toMatchObject({
      status: "ROLLBACK_SUCCESSFUL",
      triggeredAlarmNames: ["api-prod-5xx"],
    });
  });

  it("a PAUSE hook nobody continues takes its timeout action (ROLLBACK by default)", () => {
    const world = blueGreenWorld();
    createShiftingService(world, 1, {
      strategy: "BLUE_GREEN",
      lifecycleHooks: [
        { targetType: "PAUSE", lifecycleStages: ["POST_SCALE_UP"], index: 0, timeoutInMinutes: 2 },
      ],
    });
    const { sd } = deployV2(world);
    settle(world);
    expect(stageOf(world, sd.serviceDeploymentArn)).toBe("POST_SCALE_UP");
    world.advance(121);
    settle(world);
    const after = sdOf(world, sd.serviceDeploymentArn);
    expect(after.status).toBe("ROLLBACK_SUCCESSFUL");
    expect(after.shift?.hooks[0]?.status).toBe("TIMED_OUT");
    expect(world.greenShare(world.arns.test)).toBe(0);
  });

  it("a restart of the region mid-shift rolls the deployment back with every rule on blue", () => {
    const world = blueGreenWorld();
    createShiftingService(world, 1, { strategy: "BLUE_GREEN", bakeTimeInMinutes: 5 });
    const { sd } = deployV2(world);
    settle(world);
    expect(world.greenShare(world.arns.production)).toBe(100);
    world.model.regionRestarted();
    expect(world.greenShare(world.arns.production)).toBe(0);
    expect(world.greenShare(world.arns.test)).toBe(0);
    expect(sdOf(world, sd.serviceDeploymentArn).statusReason).toMatch(/local region restarted/);
  });
});

describe("ECS CANARY and LINEAR deployments", () => {
  it("CANARY: the canary percent first, the rest after the canary bake", () => {
    const world = blueGreenWorld();
    createShiftingService(world, 1, {
      strategy: "CANARY",
      canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: 2 },
      bakeTimeInMinutes: 0,
    });
    const { sd } = deployV2(world);
    settle(world);
    expect(stageOf(world, sd.serviceDeploymentArn)).toBe("PRODUCTION_TRAFFIC_SHIFT");
    expect(world.greenShare(world.arns.production)).toBe(10);
    expect(
      world.rules.describe(world.arns.production).actions[0]?.targetGroups?.map((g) => g.weight),
    ).toEqual([9, 1]);
    world.advance(119);
    settle(world);
    expect(world.greenShare(world.arns.production)).toBe(10);
    world.advance(1);
    settle(world);
    expect(world.greenShare(world.arns.production)).toBe(100);
    expect(sdOf(world, sd.serviceDeploymentArn).status).toBe("SUCCESSFUL");
  });

  it("LINEAR: equal steps with their bake in between, the region's cap shortening the bake", () => {
    const world = blueGreenWorld({ maxBakeSeconds: 20 });
    createShiftingService(world, 1, {
      strategy: "LINEAR",
      linearConfiguration: { stepPercent: 25, stepBakeTimeInMinutes: 10 },
    });
    const { sd } = deployV2(world);
    const seen: number[] = [];
    for (let i = 0; i < 5; i++) {
      settle(world);
      seen.push(world.greenShare(world.arns.production));
      world.advance(20);
    }
    expect(seen).toEqual([25, 50, 75, 100, 100]);
    expect(sdOf(world, sd.serviceDeploymentArn).status).toBe("SUCCESSFUL");
  });

  it("writes a share as the smallest weights ELBv2 takes", () => {
    const pair = { blue: "b", green: "g" };
    expect(weightsFor(pair, 10).map((w) => w.weight)).toEqual([9, 1]);
    expect(weightsFor(pair, 25).map((w) => w.weight)).toEqual([3, 1]);
    expect(weightsFor(pair, 33.3).map((w) => w.weight)).toEqual([667, 333]);
    expect(weightsFor(pair, 0).map((w) => w.weight)).toEqual([1, 0]);
    expect(weightsFor(pair, 100).map((w) => w.weight)).toEqual([0, 1]);
  });
});

describe("invalid strategy, hook and traffic settings", () => {
  type Case = [string, (w: World) => Record<string, unknown>, string, RegExp];
  const lb = (w: World, extra: Record<string, unknown> = {}) => [
    {
      targetGroupArn: w.arns.blue,
      containerName: "app",
      containerPort: 3000,
      advancedConfiguration: { ...advanced(w), ...extra },
    },
  ];
  const cases: Case[] = [
    [
      "an unknown strategy",
      (w) => ({ loadBalancers: lb(w), deploymentConfiguration: { strategy: "PURPLE" } }),
      "InvalidParameterException",
      /strategy must be one of ROLLING, BLUE_GREEN/,
    ],
    [
      "BLUE_GREEN without advancedConfiguration",
      (w) => ({
        loadBalancers: [{ targetGroupArn: w.arns.blue, containerName: "app", containerPort: 3000 }],
        deploymentConfiguration: { strategy: "BLUE_GREEN" },
      }),
      "InvalidParameterException",
      /needs advancedConfiguration/,
    ],
    [
      "a test rule without an alternate target group",
      (w) => ({
        loadBalancers: lb(w, { alternateTargetGroupArn: undefined }),
        deploymentConfiguration: { strategy: "BLUE_GREEN" },
      }),
      "InvalidParameterException",
      /testListenerRule but no alternateTargetGroupArn/,
    ],
    [
      "the alternate group equal to the own",
      (w) => ({
        loadBalancers: lb(w, { alternateTargetGroupArn: w.arns.blue }),
        deploymentConfiguration: { strategy: "BLUE_GREEN" },
      }),
      "InvalidParameterException",
      /two different target groups/,
    ],
    [
      "the same rule for production and test",
      (w) => ({
        loadBalancers: lb(w, { testListenerRule: w.arns.production }),
        deploymentConfiguration: { strategy: "BLUE_GREEN" },
      }),
      "InvalidParameterException",
      /are the same rule/,
    ],
    [
      "a test rule on the production listener",
      (w) => ({
        loadBalancers: lb(w, { testListenerRule: sameListenerRule(w) }),
        deploymentConfiguration: { strategy: "BLUE_GREEN" },
      }),
      "InvalidParameterException",
      /on the production rule's listener/,
    ],
    [
      "a production rule that forwards elsewhere",
      (w) => ({
        loadBalancers: lb(w, { productionListenerRule: fixedResponseRule(w) }),
        deploymentConfiguration: { strategy: "BLUE_GREEN" },
      }),
      "InvalidParameterException",
      /must have exactly one action, a forward action/,
    ],
    [
      "an unknown production rule",
      (w) => ({
        loadBalancers: lb(w, { productionListenerRule: `${w.arns.production}0` }),
        deploymentConfiguration: { strategy: "BLUE_GREEN" },
      }),
      "InvalidParameterException",
      /unable to find the listener rule/,
    ],
    [
      "CANARY without its configuration",
      (w) => ({ loadBalancers: lb(w), deploymentConfiguration: { strategy: "CANARY" } }),
      "InvalidParameterException",
      /CANARY needs deploymentConfiguration.canaryConfiguration/,
    ],
    [
      "a canary configuration on LINEAR",
      (w) => ({
        loadBalancers: lb(w),
        deploymentConfiguration: {
          strategy: "LINEAR",
          linearConfiguration: { stepPercent: 25, stepBakeTimeInMinutes: 1 },
          canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: 1 },
        },
      }),
      "InvalidParameterException",
      /canaryConfiguration is only valid with strategy CANARY/,
    ],
    [
      "a canary percent finer than 0.1",
      (w) => ({
        loadBalancers: lb(w),
        deploymentConfiguration: {
          strategy: "CANARY",
          canaryConfiguration: { canaryPercent: 10.05, canaryBakeTimeInMinutes: 1 },
        },
      }),
      "InvalidParameterException",
      /multiple of 0.1/,
    ],
    [
      "hooks on ROLLING",
      (_w) => ({ deploymentConfiguration: { strategy: "ROLLING", lifecycleHooks: PAUSE_AFTER_TEST } }),
      "InvalidParameterException",
      /lifecycleHooks is only valid with strategy BLUE_GREEN/,
    ],
    [
      "a Lambda hook",
      (w) => ({
        loadBalancers: lb(w),
        deploymentConfiguration: {
          strategy: "BLUE_GREEN",
          lifecycleHooks: [
            {
              index: 0,
              targetType: "AWS_LAMBDA",
              hookTargetArn: "arn:aws:lambda:us-east-1:000000000000:function:f",
              roleArn: "arn:aws:iam::000000000000:role/r",
              lifecycleStages: ["POST_SCALE_UP"],
            },
          ],
        },
      }),
      "UnsupportedFeatureException",
      /the local region does not run/,
    ],
    [
      "a PAUSE hook at TEST_TRAFFIC_SHIFT",
      (w) => ({
        loadBalancers: lb(w),
        deploymentConfiguration: {
          strategy: "BLUE_GREEN",
          lifecycleHooks: [{ index: 0, targetType: "PAUSE", lifecycleStages: ["TEST_TRAFFIC_SHIFT"] }],
        },
      }),
      "InvalidParameterException",
      /cannot be configured at the TEST_TRAFFIC_SHIFT stage.*POST_TEST_TRAFFIC_SHIFT/,
    ],
    [
      "a hook with no stage",
      (w) => ({
        loadBalancers: lb(w),
        deploymentConfiguration: {
          strategy: "BLUE_GREEN",
          lifecycleHooks: [{ index: 0, targetType: "PAUSE", lifecycleStages: [] }],
        },
      }),
      "InvalidParameterException",
      /must name at least one stage/,
    ],
  ];

  it.each(cases)("refuses %s and changes nothing", (_what, input, code, message) => {
    const world = blueGreenWorld();
    const { service } = createShiftingService(world, 1, { strategy: "ROLLING" });
    const v2 = register(world.model, "repo:v2", "api-prod");
    const request = input(world);
    const before = JSON.stringify(service);
    const rulesBefore = JSON.stringify(world.elb.state.rules);
    let error: (Error & { code?: string }) | undefined;
    try {
      world.model.updateService(
        { cluster: "platform", service: "api-prod", taskDefinition: v2.taskDefinitionArn, ...request },
        world.tgExists,
      );
    } catch (e) {
      error = e as Error & { code?: string };
    }
    expect(error?.code).toBe(code);
    expect(error?.message).toMatch(message);
    expect(JSON.stringify(service)).toBe(before);
    expect(JSON.stringify(world.elb.state.rules)).toBe(rulesBefore);
  });

  it("refuses ABORT for a shifting deployment, and a rollback once blue is being stopped", () => {
    const world = blueGreenWorld();
    createShiftingService(world, 1, { strategy: "BLUE_GREEN", bakeTimeInMinutes: 1 });
    const { sd } = deployV2(world);
    settle(world);
    expect(stageOf(world, sd.serviceDeploymentArn)).toBe("BAKE_TIME");
    expect(() =>
      world.model.stopServiceDeployment({ serviceDeploymentArn: sd.serviceDeploymentArn, stopType: "ABORT" }),
    ).toThrow(/stopType ROLLBACK/);
    world.advance(60);
    world.model.reconcile(); // blue's task is asked to stop; it has not stopped yet
    expect(stageOf(world, sd.serviceDeploymentArn)).toBe("CLEAN_UP");
    expect(() =>
      world.model.stopServiceDeployment({
        serviceDeploymentArn: sd.serviceDeploymentArn,
        stopType: "ROLLBACK",
      }),
    ).toThrow(/blue is being stopped/);
    expect(world.greenShare(world.arns.production)).toBe(100);
  });
});

function sameListenerRule(w: World): string {
  const listenerArn = w.rules.describe(w.arns.production).listenerArn;
  return w.elb.createRule({
    listenerArn,
    priority: 40000,
    conditions: [{ field: "host-header", values: ["test.localhost"] }],
    actions: [
      {
        type: "forward",
        targetGroups: [
          { arn: w.arns.blue, weight: 1 },
          { arn: w.arns.green, weight: 0 },
        ],
      },
    ],
  }).arn;
}

function fixedResponseRule(w: World): string {
  const listenerArn = w.rules.describe(w.arns.productionTwin).listenerArn;
  return w.elb.createRule({
    listenerArn,
    priority: 40001,
    conditions: [{ field: "host-header", values: ["x.localhost"] }],
    actions: [{ type: "fixed-response", fixedResponse: { statusCode: "404" } }],
  }).arn;
}
