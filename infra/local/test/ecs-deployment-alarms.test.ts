import { describe, expect, it } from "vitest";
import type { AlarmStates, AlarmStateValue, AlarmStateView } from "../src/contracts.js";
import type { EcsModel } from "../src/services/ecs/model/ecs-model.js";
import { createService, finishStops, healthy, newModel, register, run } from "./ecs-fixtures.js";

// ECS's deployment alarms followed step by step: the alarm states are set by the test as
// SetAlarmState would, the runtime's part is played as in ecs-deployments.test.ts.

class FakeAlarms implements AlarmStates {
  private readonly alarms = new Map<string, AlarmStateView>();
  /** The model's clock, once the model exists. */
  now: () => number = () => 0;

  define(alarmName: string, evaluationSeconds: number, stateValue: AlarmStateValue = "OK"): void {
    this.alarms.set(alarmName, {
      alarmName,
      stateValue,
      stateReason: "set by the test",
      stateTransitionedAt: this.now(),
      evaluationSeconds,
    });
  }

  set(alarmName: string, stateValue: AlarmStateValue): void {
    const alarm = this.alarms.get(alarmName)!;
    this.alarms.set(alarmName, { ...alarm, stateValue, stateTransitionedAt: this.now() });
  }

  get(alarmName: string): AlarmStateView | undefined {
    return this.alarms.get(alarmName);
  }
}

function setUp(rollback = true) {
  const alarms = new FakeAlarms();
  const world = newModel(alarms);
  alarms.now = () => world.clock.now;
  const model = world.model;
  const v1 = register(model, "repo:v1");
  const service = createService(model, 1, v1.taskDefinitionArn);
  model.updateService(
    {
      cluster: "platform",
      service: "api-qa",
      deploymentConfiguration: { alarms: { alarmNames: ["api-qa-5xx"], enable: true, rollback } },
    },
    () => true,
  );
  alarms.define("api-qa-5xx", 60);
  return { ...world, alarms, service, v1 };
}

function settle(model: EcsModel) {
  for (const task of model.reconcile()) {
    run(model, task);
    healthy(model, task);
  }
  finishStops(model);
  model.reconcile();
}

/** New tasks healthy, then the old ones stopped. */
function settleTwice(model: EcsModel) {
  settle(model);
  settle(model);
}

/** The service's first deployment, settled (it has nothing to roll back to, so no bake). */
function bakeFirstDeployment(model: EcsModel, advance: (seconds: number) => void) {
  settle(model);
  advance(60);
  model.reconcile();
}

function deployV2(model: EcsModel) {
  const v2 = register(model, "repo:v2");
  model.updateService(
    { cluster: "platform", service: "api-qa", taskDefinition: v2.taskDefinitionArn },
    () => true,
  );
  return v2;
}

describe("ECS deployment alarms", () => {
  it("bake for the alarms' longest detection time after the new tasks alone serve, then complete", () => {
    const { model, service, advance, alarms } = setUp();
    alarms.define("api-qa-latency", 180);
    model.updateService(
      {
        cluster: "platform",
        service: "api-qa",
        deploymentConfiguration: {
          alarms: { alarmNames: ["api-qa-5xx", "api-qa-latency"], enable: true, rollback: true },
        },
      },
      () => true,
    );
    // The first deployment has nothing to roll back to: it completes once its tasks serve.
    settle(model);
    expect(service.deployments[0]?.rolloutState).toBe("COMPLETED");
    deployV2(model);
    settleTwice(model);
    const second = service.deployments[0]!;
    expect(second.rolloutState).toBe("IN_PROGRESS");
    advance(179);
    model.reconcile();
    expect(second.rolloutState).toBe("IN_PROGRESS");
    advance(1);
    model.reconcile();
    expect(second.rolloutState).toBe("COMPLETED");
    expect(service.events[0]?.message).toBe("(service api-qa) has reached a steady state.");
  });

  it("keep the old deployment listed while the new one bakes", () => {
    const { model, service, advance } = setUp();
    bakeFirstDeployment(model, advance);
    deployV2(model);
    settleTwice(model);
    expect(service.deployments.map((d) => [d.status, d.rolloutState])).toEqual([
      ["PRIMARY", "IN_PROGRESS"],
      ["ACTIVE", "COMPLETED"],
    ]);
    advance(60);
    model.reconcile();
    expect(service.deployments.map((d) => [d.status, d.rolloutState])).toEqual([["PRIMARY", "COMPLETED"]]);
  });

  it("an alarm that goes to ALARM during the rollout fails it, names the alarm and rolls back", () => {
    const { model, service, advance, alarms, v1 } = setUp();
    bakeFirstDeployment(model, advance);
    deployV2(model);
    const failing = service.deployments[0]!;
    advance(5);
    alarms.set("api-qa-5xx", "ALARM");
    model.reconcile();
    expect(failing.rolloutState).toBe("FAILED");
    expect(failing.rolloutStateReason).toBe(
      `ECS deployment ${failing.id} failed: alarm(s) detected: api-qa-5xx.`,
    );
    const rollback = service.deployments[0]!;
    expect(rollback.status).toBe("PRIMARY");
    expect(rollback.taskDefinition).toBe(v1.taskDefinitionArn);
    const messages = service.events.map((e) => e.message);
    expect(messages).toContain(
      `(service api-qa) (deployment ${failing.id}) deployment failed: alarm detected.`,
    );
    expect(messages).toContain(`(service api-qa) rolling back to deployment ${rollback.id}.`);
    const [sd] = model.listServiceDeployments({ cluster: "platform", service: "api-qa" });
    expect(sd?.status).toBe("ROLLBACK_IN_PROGRESS");
    expect(sd?.triggeredAlarmNames).toEqual(["api-qa-5xx"]);
    expect(sd?.statusReason).toMatch(/CloudWatch alarm\(s\) in ALARM: api-qa-5xx/);
  });

  it("an alarm that goes to ALARM during the bake fails the deployment too", () => {
    const { model, service, advance, alarms } = setUp();
    bakeFirstDeployment(model, advance);
    deployV2(model);
    settleTwice(model);
    const baking = service.deployments[0]!;
    expect(baking.bakeStartedAt).toBeDefined();
    advance(30);
    alarms.set("api-qa-5xx", "ALARM");
    model.reconcile();
    expect(baking.rolloutState).toBe("FAILED");
    expect(service.deployments[0]?.rollbackOf).toBe(baking.id);
  });

  it("with rollback false: FAILED, and the service stays on the failed revision", () => {
    const { model, service, advance, alarms } = setUp(false);
    bakeFirstDeployment(model, advance);
    const v2 = deployV2(model);
    advance(1);
    alarms.set("api-qa-5xx", "ALARM");
    model.reconcile();
    const failed = service.deployments[0]!;
    expect(failed.rolloutState).toBe("FAILED");
    expect(failed.taskDefinition).toBe(v2.taskDefinitionArn);
    expect(service.taskDefinition).toBe(v2.taskDefinitionArn);
    const [sd] = model.listServiceDeployments({ cluster: "platform", service: "api-qa" });
    expect(sd?.status).toBe("STOPPED");
    expect(sd?.statusReason).toBe("Service deployment failed: alarm detected.");
  });

  it("an alarm already in ALARM when the deployment starts is ignored until it leaves ALARM", () => {
    const { model, service, advance, alarms } = setUp();
    bakeFirstDeployment(model, advance);
    alarms.set("api-qa-5xx", "ALARM");
    advance(1);
    deployV2(model);
    const deployment = service.deployments[0]!;
    settle(model);
    expect(deployment.rolloutState).toBe("IN_PROGRESS");
    alarms.set("api-qa-5xx", "OK");
    advance(1);
    alarms.set("api-qa-5xx", "ALARM");
    model.reconcile();
    expect(deployment.rolloutState).toBe("FAILED");
  });

  it("disabled alarms, or alarms that don't exist, neither fail nor delay a deployment", () => {
    const { model, service, alarms } = setUp();
    model.updateService(
      {
        cluster: "platform",
        service: "api-qa",
        deploymentConfiguration: { alarms: { alarmNames: ["api-qa-5xx"], enable: false, rollback: true } },
      },
      () => true,
    );
    alarms.set("api-qa-5xx", "ALARM");
    settle(model);
    expect(service.deployments[0]?.rolloutState).toBe("COMPLETED");
    model.updateService(
      {
        cluster: "platform",
        service: "api-qa",
        deploymentConfiguration: { alarms: { alarmNames: ["no-such-alarm"], enable: true, rollback: true } },
      },
      () => true,
    );
    deployV2(model);
    settleTwice(model);
    expect(service.deployments[0]?.rolloutState).toBe("COMPLETED");
  });

  it("validate alarms as ECS does: all three members, a bounded list of names", () => {
    const { model } = setUp();
    const update = (alarms: object) => () =>
      model.updateService(
        { cluster: "platform", service: "api-qa", deploymentConfiguration: { alarms } },
        () => true,
      );
    expect(update({ alarmNames: ["a"], enable: true })).toThrow(/needs alarmNames, enable and rollback/);
    const eleven = Array.from({ length: 11 }, (_, i) => `alarm-${i}`);
    expect(update({ alarmNames: eleven, enable: true, rollback: true })).toThrow(/at most 10/);
    expect(update({ alarmNames: [], enable: true, rollback: true })).toThrow(/can't be empty/);
    expect(update({ alarmNames: [""], enable: true, rollback: false })).toThrow(/1 to 255 characters/);
    expect(update({ alarmNames: [], enable: false, rollback: false })).not.toThrow();
  });
});
