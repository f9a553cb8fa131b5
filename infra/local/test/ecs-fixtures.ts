import type { AlarmStates, Durable } from "../src/contracts.js";
import { EcsModel } from "../src/services/ecs/model/ecs-model.js";
import { parseTaskDefinitionInput } from "../src/services/ecs/model/task-definition-input.js";
import { type EcsState, emptyEcsState, type TaskRecord } from "../src/services/ecs/model/types.js";

// An ECS model on in-memory state with a clock the test moves, and helpers that play the runtime's
// part (a task starts, turns healthy, exits) so the rules can be followed step by step.

export const TG = "arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/api-qa/0123456789abcdef";

export function memoryDurable<T>(state: T): Durable<T> & { commits: number } {
  return {
    state,
    commits: 0,
    commit() {
      this.commits += 1;
    },
  };
}

export function newModel(alarms?: AlarmStates) {
  const clock = { now: 1_700_000_000_000 };
  const durable = memoryDurable<EcsState>(emptyEcsState("i-0local123456789", clock.now / 1000));
  const partition = { region: "us-east-1", accountId: "000000000000" };
  const model = new EcsModel(durable, partition, () => clock.now, alarms);
  return { model, clock, durable, advance: (seconds: number) => (clock.now += seconds * 1000) };
}

export function register(model: EcsModel, image: string, family = "api-qa") {
  return model.registerTaskDefinition(
    parseTaskDefinitionInput({
      family,
      networkMode: "bridge",
      containerDefinitions: [
        {
          name: "app",
          image,
          memory: 256,
          portMappings: [{ containerPort: 3000, hostPort: 0 }],
          essential: true,
        },
      ],
    }),
    [],
  );
}

export function createService(model: EcsModel, desiredCount: number, taskDefinition: string) {
  model.createCluster("platform", []);
  return model.createService(
    {
      cluster: "platform",
      serviceName: "api-qa",
      taskDefinition,
      desiredCount,
      loadBalancers: [{ targetGroupArn: TG, containerName: "app", containerPort: 3000 }],
      healthCheckGracePeriodSeconds: 30,
      deploymentConfiguration: {
        maximumPercent: 200,
        minimumHealthyPercent: 100,
        deploymentCircuitBreaker: { enable: true, rollback: true },
      },
    },
    [],
    () => true,
  );
}

let nextPort = 40000;

/** What the scheduler does for a task that starts fine and is registered in its target group. */
export function run(model: EcsModel, task: TaskRecord, targetGroupArn = TG) {
  const port = nextPort++;
  model.lifecycle.pending(task);
  model.lifecycle.activating(task, [
    {
      name: "app",
      pid: 1,
      networkBindings: [{ bindIP: "0.0.0.0", containerPort: 3000, hostPort: port, protocol: "tcp" }],
    },
  ]);
  model.lifecycle.running(task, [
    {
      targetGroupArn,
      containerName: "app",
      containerPort: 3000,
      hostPort: port,
      state: "initial",
      registered: true,
    },
  ]);
  return port;
}

export function healthy(model: EcsModel, task: TaskRecord) {
  model.lifecycle.targetHealth(TG, task.targets[0]?.hostPort ?? -1, "healthy");
}

/** What the scheduler does for every task the model asked to stop. */
export function finishStops(model: EcsModel) {
  for (const task of model.liveTasks().filter((t) => t.desiredStatus === "STOPPED")) {
    model.lifecycle.deactivating(task);
    model.lifecycle.stopping(task);
    model.lifecycle.stopped(task);
  }
}

export function liveOf(model: EcsModel, taskDefinitionArn?: string) {
  return model
    .liveTasks()
    .filter(
      (t) =>
        t.desiredStatus === "RUNNING" && (!taskDefinitionArn || t.taskDefinitionArn === taskDefinitionArn),
    );
}
