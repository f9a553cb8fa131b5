import { describe, expect, it } from "vitest";
import { circuitBreakerThreshold, decide } from "../../src/ecs/model/deploy-verdict.js";
import type { DeploymentView, ServiceSnapshot, TaskView, Tracked } from "../../src/ecs/model/snapshot.js";

// The decision rules over hand-built snapshots: no AWS, no mocks. Each user complaint about existing
// deploy tools (docs/architecture.md, "What ecs deploy guards against") is one of these cases.

const T0 = new Date("2026-01-01T10:00:00Z");
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const TG = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/api-qa/1";
const OLD_TD = "arn:aws:ecs:eu-west-1:123456789012:task-definition/api-qa:4";
const NEW_TD = "arn:aws:ecs:eu-west-1:123456789012:task-definition/api-qa:5";
const tracked: Tracked = { deploymentId: "ecs-svc/new", taskDefinition: NEW_TD, startedAt: T0 };

function deployment(over: Partial<DeploymentView>): DeploymentView {
  return {
    id: "ecs-svc/new",
    status: "PRIMARY",
    taskDefinition: NEW_TD,
    desiredCount: 2,
    runningCount: 0,
    pendingCount: 0,
    failedTasks: 0,
    rolloutState: "IN_PROGRESS",
    ...over,
  };
}

const oldDeployment = (over: Partial<DeploymentView> = {}) =>
  deployment({
    id: "ecs-svc/old",
    status: "ACTIVE",
    taskDefinition: OLD_TD,
    rolloutState: "COMPLETED",
    runningCount: 2,
    ...over,
  });

function task(n: number, over: Partial<TaskView> = {}): TaskView {
  return {
    arn: `arn:aws:ecs:eu-west-1:123456789012:task/platform/new${n}`,
    startedBy: "ecs-svc/new",
    taskDefinition: NEW_TD,
    lastStatus: "RUNNING",
    desiredStatus: "RUNNING",
    healthStatus: "UNKNOWN",
    containers: [{ name: "api" }],
    targets: [{ targetGroupArn: TG, id: "i-0local", port: 40000 + n }],
    ...over,
  };
}

function snapshot(over: Partial<ServiceSnapshot>): ServiceSnapshot {
  return {
    serviceName: "api-qa",
    deployments: [deployment({}), oldDeployment()],
    events: [],
    tasks: [],
    targetGroupArns: [TG],
    targets: [],
    circuitBreaker: { enable: true, rollback: true },
    ...over,
  };
}

const newTargets = (state: string) =>
  [1, 2].map((n) => ({ targetGroupArn: TG, id: "i-0local", port: 40000 + n, state }));
const oldTargets = (state: string) =>
  [1, 2].map((n) => ({ targetGroupArn: TG, id: "i-0local", port: 41000 + n, state }));

describe("success", () => {
  it("is rolloutState COMPLETED of the tracked deployment, and says so", () => {
    const v = decide(
      snapshot({ deployments: [deployment({ rolloutState: "COMPLETED", runningCount: 2 })] }),
      tracked,
      at(30),
      300,
    );
    expect(v).toMatchObject({ kind: "succeeded", rule: "rollout-completed" });
  });

  it("comes early when every new task is healthy in the target group and the old ones only drain", () => {
    const s = snapshot({
      deployments: [deployment({ runningCount: 2 }), oldDeployment({ desiredCount: 0, runningCount: 2 })],
      tasks: [task(1), task(2)],
      targets: [...newTargets("healthy"), ...oldTargets("draining")],
    });
    const v = decide(s, tracked, at(20), 300);
    expect(v).toMatchObject({ kind: "succeeded", rule: "tasks-healthy-old-draining" });
    expect(v.kind === "succeeded" && v.explanation).toMatch(/old tasks only draining/);
  });

  // Complaint: waits that count the old tasks' drain (deregistration delay) and time out.
  it("never waits for the old tasks' drain to finish", () => {
    const s = snapshot({
      deployments: [deployment({ runningCount: 2 }), oldDeployment({ desiredCount: 0, runningCount: 2 })],
      tasks: [task(1), task(2)],
      targets: [...newTargets("healthy"), ...oldTargets("draining")],
    });
    // 299 s in, with a 300 s timeout and a 300 s deregistration delay still running: decided.
    expect(decide(s, tracked, at(299), 300).kind).toBe("succeeded");
  });

  it("is not declared while old targets still serve (ECS has not committed to the new tasks)", () => {
    const s = snapshot({
      deployments: [deployment({ runningCount: 2 }), oldDeployment()],
      tasks: [task(1), task(2)],
      targets: [...newTargets("healthy"), ...oldTargets("healthy")],
    });
    expect(decide(s, tracked, at(20), 300).kind).toBe("waiting");
  });

  it("is not declared while a new target is still initial", () => {
    const s = snapshot({
      deployments: [deployment({ runningCount: 2 }), oldDeployment({ desiredCount: 0 })],
      tasks: [task(1), task(2)],
      targets: [
        { ...newTargets("healthy")[0]!, state: "initial" },
        newTargets("healthy")[1]!,
        ...oldTargets("draining"),
      ],
    });
    expect(decide(s, tracked, at(20), 300).kind).toBe("waiting");
  });

  it("needs every target group of the service, not just one", () => {
    const TG2 = `${TG}-media`;
    const s = snapshot({
      deployments: [deployment({ runningCount: 2 }), oldDeployment({ desiredCount: 0 })],
      targetGroupArns: [TG, TG2],
      tasks: [task(1), task(2)],
      targets: [...newTargets("healthy"), ...oldTargets("draining")],
    });
    expect(decide(s, tracked, at(20), 300).kind).toBe("waiting");
  });

  // Complaint: "stable" (one deployment left) taken for "completed".
  it("is not 'only one deployment left': a lone IN_PROGRESS deployment with unhealthy tasks is still waiting", () => {
    const s = snapshot({
      deployments: [deployment({ runningCount: 1, pendingCount: 1 })],
      tasks: [task(1)],
      targets: [newTargets("unhealthy")[0]!],
    });
    expect(decide(s, tracked, at(20), 300).kind).toBe("waiting");
  });

  it("does not count old tasks as ours when they run the same revision", () => {
    const s = snapshot({
      deployments: [deployment({ runningCount: 0 }), oldDeployment({ taskDefinition: NEW_TD })],
      tasks: [task(1, { startedBy: "ecs-svc/old" }), task(2, { startedBy: "ecs-svc/old" })],
      targets: newTargets("healthy"),
    });
    expect(decide(s, tracked, at(20), 300).kind).toBe("waiting");
  });
});

describe("failure", () => {
  // Complaint: circuit-breaker rollbacks reported as success.
  it("is a circuit-breaker rollback even though the service ends stable on one deployment", () => {
    const s = snapshot({
      deployments: [
        deployment({
          id: "ecs-svc/rollback",
          taskDefinition: OLD_TD,
          rolloutState: "COMPLETED",
          runningCount: 2,
        }),
        deployment({
          status: "ACTIVE",
          rolloutState: "FAILED",
          rolloutStateReason: "ECS deployment circuit breaker: tasks failed to start.",
        }),
      ],
    });
    const v = decide(s, tracked, at(60), 300);
    expect(v).toMatchObject({ kind: "failed", reason: "rolled-back-by-ecs" });
    expect(v.kind === "failed" && v.explanation).toMatch(/circuit breaker/);
  });

  it("is a rollback when our deployment vanished and the primary runs another revision", () => {
    const s = snapshot({
      deployments: [
        deployment({ id: "ecs-svc/rollback", taskDefinition: OLD_TD, rolloutState: "COMPLETED" }),
      ],
    });
    expect(decide(s, tracked, at(60), 300)).toMatchObject({ kind: "failed", reason: "rolled-back-by-ecs" });
  });

  it("is our deployment disappearing", () => {
    const s = snapshot({ deployments: [] });
    expect(decide(s, tracked, at(60), 300)).toMatchObject({ kind: "failed", reason: "disappeared" });
  });

  it("is rolloutState FAILED", () => {
    const s = snapshot({
      deployments: [deployment({ rolloutState: "FAILED", rolloutStateReason: "tasks failed to start" })],
    });
    expect(decide(s, tracked, at(60), 300)).toMatchObject({ kind: "failed", reason: "rollout-failed" });
  });

  it("is another deployment of the same revision replacing ours", () => {
    const s = snapshot({
      deployments: [deployment({ id: "ecs-svc/other" }), deployment({ status: "ACTIVE" })],
    });
    expect(decide(s, tracked, at(60), 300)).toMatchObject({ kind: "failed", reason: "replaced" });
  });

  it("is failedTasks reaching the circuit breaker's threshold, before ECS says so", () => {
    const s = snapshot({ deployments: [deployment({ failedTasks: 3 }), oldDeployment()] });
    expect(decide(s, tracked, at(60), 300)).toMatchObject({
      kind: "failed",
      reason: "circuit-breaker-threshold",
    });
    const below = snapshot({ deployments: [deployment({ failedTasks: 2 }), oldDeployment()] });
    expect(decide(below, tracked, at(60), 300).kind).toBe("waiting");
  });

  it("is a service event since the deploy saying a task can't be placed or its image pulled", () => {
    const pull = snapshot({
      events: [
        {
          createdAt: at(5),
          message:
            "(service api-qa) failed to launch a task with (error CannotPullContainerError: ref not found).",
        },
      ],
    });
    expect(decide(pull, tracked, at(10), 300)).toMatchObject({ kind: "failed", reason: "placement-or-pull" });
    const place = snapshot({
      events: [
        {
          createdAt: at(5),
          message:
            "(service api-qa) was unable to place a task because no container instance met all of its requirements.",
        },
      ],
    });
    expect(decide(place, tracked, at(10), 300)).toMatchObject({
      kind: "failed",
      reason: "placement-or-pull",
    });
  });

  it("ignores such events from before the deploy started", () => {
    const s = snapshot({
      events: [{ createdAt: at(-60), message: "(service api-qa) was unable to place a task" }],
    });
    expect(decide(s, tracked, at(10), 300).kind).toBe("waiting");
  });

  it("is the timeout, with the state it stopped in", () => {
    const s = snapshot({ deployments: [deployment({ runningCount: 1, pendingCount: 1 }), oldDeployment()] });
    expect(decide(s, tracked, at(299), 300).kind).toBe("waiting");
    const v = decide(s, tracked, at(300), 300);
    expect(v).toMatchObject({ kind: "failed", reason: "timeout" });
    expect(v.kind === "failed" && v.explanation).toMatch(/1\/2 running, 1 pending/);
  });
});

describe("circuit breaker threshold", () => {
  it("is min(max(ceil(desired/2), 3), 200)", () => {
    expect([1, 2, 6, 7, 10, 400, 1000].map(circuitBreakerThreshold)).toEqual([3, 3, 3, 4, 5, 200, 200]);
  });
});

describe("progress", () => {
  it("counts our targets by state and every draining target", () => {
    const s = snapshot({
      deployments: [deployment({ runningCount: 2, pendingCount: 0 }), oldDeployment()],
      tasks: [task(1), task(2)],
      targets: [{ ...newTargets("initial")[0]! }, newTargets("healthy")[1]!, ...oldTargets("draining")],
      events: [{ createdAt: at(3), message: "(service api-qa) registered 2 targets" }],
    });
    const v = decide(s, tracked, at(12), 300);
    expect(v.progress).toMatchObject({
      running: 2,
      desired: 2,
      elapsedSeconds: 12,
      targets: { initial: 1, healthy: 1, unhealthy: 0, draining: 2 },
      lastEvent: "(service api-qa) registered 2 targets",
    });
  });
});

describe("--ignore-warnings", () => {
  it("lets placement events pass, but not failed tasks", () => {
    const event = {
      createdAt: at(5),
      message:
        "(service api-qa) was unable to place a task because no container instance met all of its requirements.",
    };
    expect(decide(snapshot({ events: [event] }), tracked, at(10), 300, { ignoreEvents: true }).kind).toBe(
      "waiting",
    );
    const failing = snapshot({
      events: [event],
      deployments: [deployment({ failedTasks: 3 }), oldDeployment()],
    });
    expect(decide(failing, tracked, at(10), 300, { ignoreEvents: true })).toMatchObject({
      reason: "circuit-breaker-threshold",
    });
  });
});
