import { describe, expect, it } from "vitest";
import { failureThreshold } from "../src/services/ecs/model/rollout.js";
import { createService, finishStops, healthy, liveOf, newModel, register, run } from "./ecs-fixtures.js";

// The service scheduler's rules followed step by step, the runtime's part played by the test.

function settle(model: ReturnType<typeof newModel>["model"]) {
  for (const task of model.reconcile()) {
    run(model, task);
    healthy(model, task);
  }
  model.reconcile();
}

describe("ECS deployments", () => {
  it("starts the desired tasks and reaches a steady state once they are healthy", () => {
    const { model } = newModel();
    const td = register(model, "repo:v1");
    const service = createService(model, 2, td.taskDefinitionArn);
    expect(service.deployments).toHaveLength(1);
    expect(service.deployments[0]?.rolloutState).toBe("IN_PROGRESS");

    const created = model.reconcile();
    expect(created).toHaveLength(2);
    expect(created[0]?.group).toBe("service:api-qa");
    expect(created[0]?.startedBy).toBe(service.deployments[0]?.id);
    expect(service.events[0]?.message).toMatch(
      /^\(service api-qa\) has started 2 tasks: \(task [0-9a-f]{32}\) \(task [0-9a-f]{32}\)\.$/,
    );

    for (const task of created) run(model, task);
    model.reconcile();
    expect(service.deployments[0]?.rolloutState).toBe("IN_PROGRESS");
    for (const task of created) healthy(model, task);
    model.reconcile();
    expect(service.deployments[0]?.rolloutState).toBe("COMPLETED");
    const messages = service.events.map((e) => e.message);
    expect(messages[0]).toBe("(service api-qa) has reached a steady state.");
    expect(messages[1]).toBe(
      `(service api-qa) (deployment ${service.deployments[0]?.id}) deployment completed.`,
    );
    expect(messages).toContain(
      `(service api-qa) registered 1 targets in (target-group ${created[0]?.targets[0]?.targetGroupArn})`,
    );
  });

  it("rolls a new revision out within 200/100: new tasks first, old ones stopped only when new ones are healthy", () => {
    const { model } = newModel();
    const v1 = register(model, "repo:v1");
    const service = createService(model, 2, v1.taskDefinitionArn);
    settle(model);
    const v2 = register(model, "repo:v2");
    const updated = model.updateService(
      { cluster: "platform", service: "api-qa", taskDefinition: v2.taskDefinitionArn },
      () => true,
    );
    expect(updated.deployments.map((d) => [d.status, d.taskDefinition])).toEqual([
      ["PRIMARY", v2.taskDefinitionArn],
      ["ACTIVE", v1.taskDefinitionArn],
    ]);

    const fresh = model.reconcile();
    expect(fresh).toHaveLength(2);
    expect(liveOf(model, v1.taskDefinitionArn)).toHaveLength(2);
    for (const task of fresh) run(model, task);
    model.reconcile();
    expect(liveOf(model, v1.taskDefinitionArn)).toHaveLength(2);

    healthy(model, fresh[0]!);
    model.reconcile();
    // One new task is healthy: one old task may go, keeping 2 healthy (100%).
    expect(liveOf(model, v1.taskDefinitionArn)).toHaveLength(1);
    healthy(model, fresh[1]!);
    model.reconcile();
    expect(liveOf(model, v1.taskDefinitionArn)).toHaveLength(0);
    expect(service.deployments[0]?.rolloutState).toBe("IN_PROGRESS");
    const stoppedOld = model.liveTasks().filter((t) => t.desiredStatus === "STOPPED");
    expect(stoppedOld.every((t) => t.stopCode === "ServiceSchedulerInitiated")).toBe(true);
    expect(stoppedOld[0]?.stoppedReason).toBe(
      `Scaling activity initiated by (deployment ${service.deployments[0]?.id})`,
    );

    finishStops(model);
    model.reconcile();
    expect(service.deployments).toHaveLength(1);
    expect(service.deployments[0]?.rolloutState).toBe("COMPLETED");
  });

  it("does not start a deployment when UpdateService changes nothing about the tasks", () => {
    const { model } = newModel();
    const v1 = register(model, "repo:v1");
    const service = createService(model, 1, v1.taskDefinitionArn);
    settle(model);
    const before = service.deployments[0]?.id;
    model.updateService(
      { cluster: "platform", service: "api-qa", taskDefinition: v1.taskDefinitionArn, desiredCount: 1 },
      () => true,
    );
    expect(service.deployments.map((d) => d.id)).toEqual([before]);
    model.updateService({ cluster: "platform", service: "api-qa", forceNewDeployment: true }, () => true);
    expect(service.deployments).toHaveLength(2);
    expect(service.deployments[0]?.id).not.toBe(before);
  });

  it("trips the circuit breaker after the threshold of failed tasks and rolls back to the last completed revision", () => {
    const { model, advance } = newModel();
    const v1 = register(model, "repo:v1");
    const service = createService(model, 1, v1.taskDefinitionArn);
    settle(model);
    const good = liveOf(model)[0]!;
    const bad = register(model, "repo:crash");
    model.updateService(
      { cluster: "platform", service: "api-qa", taskDefinition: bad.taskDefinitionArn },
      () => true,
    );
    const failing = service.deployments[0]!;

    for (let attempt = 0; attempt < failureThreshold(1); attempt++) {
      const [task] = model.reconcile();
      expect(task?.taskDefinitionArn).toBe(bad.taskDefinitionArn);
      run(model, task!);
      model.lifecycle.containerExited(task!, { name: "app", exitCode: 1 });
      expect(task?.stoppedReason).toBe("Essential container in task exited");
      finishStops(model);
      // The old task keeps serving throughout.
      expect(good.desiredStatus).toBe("RUNNING");
      advance(30);
    }
    model.reconcile();
    expect(failing.rolloutState).toBe("FAILED");
    expect(failing.failedTasks).toBe(3);
    const rollback = service.deployments[0]!;
    expect(rollback.status).toBe("PRIMARY");
    expect(rollback.taskDefinition).toBe(v1.taskDefinitionArn);
    expect(service.taskDefinition).toBe(v1.taskDefinitionArn);
    const messages = service.events.map((e) => e.message);
    expect(messages).toContain(
      `(service api-qa) (deployment ${failing.id}) deployment failed: tasks failed to start.`,
    );
    expect(messages).toContain(`(service api-qa) rolling back to deployment ${rollback.id}.`);
    const [sd] = model.listServiceDeployments({ cluster: "platform", service: "api-qa" });
    expect(sd?.status).toBe("ROLLBACK_IN_PROGRESS");

    settle(model);
    finishStops(model);
    model.reconcile();
    expect(rollback.rolloutState).toBe("COMPLETED");
    expect(model.listServiceDeployments({ cluster: "platform", service: "api-qa" })[0]?.status).toBe(
      "ROLLBACK_SUCCESSFUL",
    );
  });

  it("replaces a task whose target stays unhealthy after the grace period, not before", () => {
    const { model, advance } = newModel();
    const v1 = register(model, "repo:v1");
    createService(model, 1, v1.taskDefinitionArn);
    settle(model);
    const task = liveOf(model)[0]!;
    model.lifecycle.targetHealth(task.targets[0]!.targetGroupArn, task.targets[0]!.hostPort, "unhealthy");
    model.reconcile();
    expect(task.desiredStatus).toBe("RUNNING");
    advance(31);
    // The replacement starts at once, beside the unhealthy task that drains (maximumPercent 200).
    const replacements = model.reconcile();
    expect(task.desiredStatus).toBe("STOPPED");
    expect(task.stoppedReason).toMatch(
      /^Task failed ELB health checks in \(target-group arn:aws:elasticloadbalancing:/,
    );
    expect(replacements).toHaveLength(1);
    finishStops(model);
    expect(model.reconcile()).toHaveLength(0);
    expect(liveOf(model)).toEqual(replacements);
  });

  it("StopServiceDeployment(ROLLBACK) goes back to the previous completed revision", () => {
    const { model } = newModel();
    const v1 = register(model, "repo:v1");
    const service = createService(model, 1, v1.taskDefinitionArn);
    settle(model);
    const v2 = register(model, "repo:v2");
    model.updateService(
      { cluster: "platform", service: "api-qa", taskDefinition: v2.taskDefinitionArn },
      () => true,
    );
    const [sd] = model.listServiceDeployments({
      cluster: "platform",
      service: "api-qa",
      status: ["IN_PROGRESS"],
    });
    model.stopServiceDeployment({ serviceDeploymentArn: sd?.serviceDeploymentArn, stopType: "ROLLBACK" });
    expect(service.taskDefinition).toBe(v1.taskDefinitionArn);
    expect(sd?.status).toBe("ROLLBACK_IN_PROGRESS");
    expect(() => model.stopServiceDeployment({ serviceDeploymentArn: sd?.serviceDeploymentArn })).toThrow(
      /can't be stopped/,
    );
  });

  it("uses ECS's circuit breaker threshold: half the desired count, clamped to 3..200", () => {
    expect([1, 2, 6, 7, 10, 399, 401, 1000].map(failureThreshold)).toEqual([3, 3, 3, 4, 5, 200, 200, 200]);
  });
});
