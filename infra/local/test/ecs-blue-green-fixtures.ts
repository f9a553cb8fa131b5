import { type ListenerRules, TWIN_TAG } from "../src/contracts.js";
import { LocalListenerRules } from "../src/runtime/load-balancer/listener-rules.js";
import { deploymentTargetGroups } from "../src/services/ecs/model/deployment-target-groups.js";
import { EcsModel } from "../src/services/ecs/model/ecs-model.js";
import type { DeploymentConfigurationRequest } from "../src/services/ecs/model/service-input.js";
import { type EcsState, emptyEcsState, type TaskRecord } from "../src/services/ecs/model/types.js";
import { Elbv2Model } from "../src/services/elbv2/model.js";
import { emptyElbv2State } from "../src/services/elbv2/state.js";
import { memoryDurable, register, run } from "./ecs-fixtures.js";

// ECS's blue/green rules on a real ELBv2 model: two target groups, a production listener (and its
// plain-HTTP twin) and a test listener with weighted rules, the way npm start sets them up. The
// runtime's part (tasks start, register in their deployment's group, turn healthy) is played here.

const scope = { region: "us-east-1", accountId: "000000000000" };

export function blueGreenWorld(
  options: { maxBakeSeconds?: number; alarms?: ConstructorParameters<typeof EcsModel>[3] } = {},
) {
  const elb = new Elbv2Model(emptyElbv2State());
  const rules: ListenerRules = new LocalListenerRules(elb, memoryDurable(elb.state));
  const health = { path: "/healthz" };
  const blue = elb.createTargetGroup(scope, {
    name: "api-prod",
    protocol: "HTTP",
    port: 80,
    healthCheck: health,
  }).arn;
  const green = elb.createTargetGroup(scope, {
    name: "api-prod-green",
    protocol: "HTTP",
    port: 80,
    healthCheck: health,
  }).arn;
  const lb = elb.createLoadBalancer(scope, { name: "platform", subnets: ["a", "b"], securityGroups: [] });
  const notFound = { type: "fixed-response" as const, fixedResponse: { statusCode: "404" } };
  const listener = (port: number) =>
    elb.createListener({
      loadBalancerArn: lb.arn,
      port,
      protocol: "HTTP",
      certificateArns: [],
      defaultActions: [notFound],
    });
  const weighted = [
    { arn: blue, weight: 100 },
    { arn: green, weight: 0 },
  ];
  const rule = (listenerArn: string) =>
    elb.createRule({
      listenerArn,
      priority: 50000,
      conditions: [{ field: "path-pattern", values: ["/*"] }],
      actions: [{ type: "forward", targetGroups: weighted }],
    }).arn;
  const production = rule(listener(8443).arn);
  const productionTwin = rule(listener(8080).arn);
  const test = rule(listener(9443).arn);
  elb.addTags([productionTwin], { [TWIN_TAG]: production });

  const clock = { now: 1_700_000_000_000 };
  const durable = memoryDurable<EcsState>(emptyEcsState("i-0local123456789", clock.now / 1000));
  const model = new EcsModel(durable, scope, () => clock.now, options.alarms, {
    traffic: rules,
    ...(options.maxBakeSeconds !== undefined ? { maxBakeSeconds: options.maxBakeSeconds } : {}),
  });
  model.createCluster("platform", []);
  const tgExists = (arn: string) => arn in elb.state.targetGroups;
  return {
    elb,
    rules,
    model,
    tgExists,
    arns: { blue, green, production, productionTwin, test, loadBalancer: lb.arn },
    advance: (seconds: number) => {
      clock.now += seconds * 1000;
    },
    /** Green's share (percent) of a rule's forward action. */
    greenShare(ruleArn: string, greenArn = green): number {
      const forward = rules.describe(ruleArn).actions[0]?.targetGroups ?? [];
      const total = forward.reduce((s, g) => s + g.weight, 0);
      return Math.round(((forward.find((g) => g.arn === greenArn)?.weight ?? 0) / total) * 1000) / 10;
    },
  };
}

export type World = ReturnType<typeof blueGreenWorld>;

export function advanced(world: World, withTest = true) {
  return {
    alternateTargetGroupArn: world.arns.green,
    productionListenerRule: world.arns.production,
    ...(withTest ? { testListenerRule: world.arns.test } : {}),
    roleArn: "arn:aws:iam::000000000000:role/ecs-infrastructure-load-balancers",
  };
}

export function createShiftingService(
  world: World,
  desiredCount: number,
  deploymentConfiguration: DeploymentConfigurationRequest,
) {
  const v1 = register(world.model, "repo:v1", "api-prod");
  const service = world.model.createService(
    {
      cluster: "platform",
      serviceName: "api-prod",
      taskDefinition: v1.taskDefinitionArn,
      desiredCount,
      loadBalancers: [
        {
          targetGroupArn: world.arns.blue,
          containerName: "app",
          containerPort: 3000,
          advancedConfiguration: advanced(world),
        },
      ],
      deploymentConfiguration: {
        deploymentCircuitBreaker: { enable: true, rollback: true },
        ...deploymentConfiguration,
      },
    },
    [],
    world.tgExists,
  );
  settle(world);
  return { service, v1 };
}

/** The scheduler's part for a new task: it starts, registers in its deployment's groups, turns healthy. */
export function runHealthy(world: World, task: TaskRecord): void {
  const service = world.model.serviceOf(task);
  const deployment = service?.deployments.find((d) => d.id === task.deploymentId);
  const group =
    service && deployment ? (deploymentTargetGroups(service, deployment)[0] as string) : world.arns.blue;
  const port = run(world.model, task, group);
  world.model.lifecycle.targetHealth(group, port, "healthy");
}

/** Scheduler passes until nothing new starts: new tasks run healthy, stopped ones finish stopping. */
export function settle(world: World, passes = 6): void {
  for (let i = 0; i < passes; i++) {
    for (const task of world.model.reconcile()) runHealthy(world, task);
    for (const task of world.model.liveTasks().filter((t) => t.desiredStatus === "STOPPED")) {
      world.model.lifecycle.deactivating(task);
      world.model.lifecycle.stopping(task);
      world.model.lifecycle.stopped(task);
    }
  }
}

export function deployV2(world: World) {
  const v2 = register(world.model, "repo:v2", "api-prod");
  world.model.updateService(
    { cluster: "platform", service: "api-prod", taskDefinition: v2.taskDefinitionArn },
    world.tgExists,
  );
  const sd = world.model.listServiceDeployments({ cluster: "platform", service: "api-prod" })[0];
  if (!sd) throw new Error("no service deployment");
  return { v2, sd };
}
