import { describe, expect, it } from "vitest";
import { EcsModel } from "../src/services/ecs/model/ecs-model.js";
import {
  parseTaskDefinitionInput,
  type TaskDefinitionRequest,
} from "../src/services/ecs/model/task-definition-input.js";
import { emptyEcsState } from "../src/services/ecs/model/types.js";
import { codeOf } from "./aws-error.js";

// The ECS API's rules on plain state with typed inputs: no wire, no disk, no runtime. (The
// deployment rules, step by step, are in ecs-deployments.test.ts.)

const TG = "arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/api/0123456789abcdef";
const partition = { region: "us-east-1", accountId: "000000000000" };

function ecs() {
  const clock = { now: 1_700_000_000_000 };
  const model = new EcsModel(
    { state: emptyEcsState("i-0local123456789", 1_700_000_000) },
    partition,
    () => clock.now,
  );
  return { model, clock };
}

const request = (extra: Partial<TaskDefinitionRequest> = {}): TaskDefinitionRequest => ({
  family: "api",
  containerDefinitions: [
    { name: "app", image: "repo:1", memory: 128, portMappings: [{ containerPort: 3000 }] },
  ],
  ...extra,
});

function service(model: EcsModel, desiredCount = 0) {
  model.createCluster("platform", []);
  const td = model.registerTaskDefinition(parseTaskDefinitionInput(request()), []);
  return model.createService(
    { cluster: "platform", serviceName: "api", taskDefinition: td.taskDefinitionArn, desiredCount },
    [{ key: "env", value: "qa" }],
    () => true,
  );
}

describe("ECS model", () => {
  it("applies ECS's defaults and rules to a task definition request", () => {
    const bridge = parseTaskDefinitionInput(request());
    expect(bridge.networkMode).toBe("bridge");
    expect(bridge.containerDefinitions[0]).toMatchObject({
      essential: true,
      environment: [],
      portMappings: [{ containerPort: 3000, hostPort: 0, protocol: "tcp" }],
    });
    const host = parseTaskDefinitionInput(request({ networkMode: "host" }));
    expect(host.containerDefinitions[0]?.portMappings[0]?.hostPort).toBe(3000);
    const container = (extra: object) => [{ name: "app", image: "repo:1", memory: 128, ...extra }];
    const refused = (extra: Partial<TaskDefinitionRequest>) =>
      codeOf(() => parseTaskDefinitionInput(request(extra)));
    expect(refused({ family: "bad name" })).toBe("InvalidParameterException");
    expect(refused({ containerDefinitions: [] })).toBe("ClientException");
    expect(refused({ containerDefinitions: container({ memoryReservation: 256 }) })).toBe("ClientException");
    expect(refused({ containerDefinitions: container({ memory: undefined }) })).toBe("ClientException");
    expect(refused({ containerDefinitions: container({ essential: false }) })).toBe("ClientException");
    expect(
      refused({
        networkMode: "host",
        containerDefinitions: container({ portMappings: [{ containerPort: 1, hostPort: 2 }] }),
      }),
    ).toBe("ClientException");
    expect(refused({ containerDefinitions: [...container({}), ...container({})] })).toBe("ClientException");
    expect(refused({ cpu: "lots" })).toBe("ClientException");
  });

  it("counts revisions per family and finds the latest ACTIVE one", () => {
    const { model } = ecs();
    const first = model.registerTaskDefinition(parseTaskDefinitionInput(request()), []);
    const second = model.registerTaskDefinition(parseTaskDefinitionInput(request()), []);
    expect([first.revision, second.revision]).toEqual([1, 2]);
    model.deregisterTaskDefinition("api:2");
    expect(model.findTaskDefinition("api").revision).toBe(1);
    expect(model.listTaskDefinitions({ status: "INACTIVE", sort: "ASC" })).toEqual([
      second.taskDefinitionArn,
    ]);
    expect(codeOf(() => model.deregisterTaskDefinition("api:2"))).toBe("ClientException");
    expect(codeOf(() => model.deregisterTaskDefinition("api"))).toBe("InvalidParameterException");
    expect(model.listTaskDefinitionFamilies(undefined, "ALL")).toEqual(["api"]);
  });

  it("keeps clusters idempotent, describes missing ones as failures and refuses to delete busy ones", () => {
    const { model } = ecs();
    const cluster = model.createCluster("platform", []);
    expect(model.createCluster("platform", [])).toBe(cluster);
    expect(model.describeClusters(["platform", "nope"])).toEqual({
      clusters: [cluster],
      failures: [{ arn: "arn:aws:ecs:us-east-1:000000000000:cluster/nope", reason: "MISSING" }],
    });
    service(model);
    expect(codeOf(() => model.deleteCluster("platform"))).toBe("ClusterContainsServicesException");
    expect(model.clusterStats(cluster)).toEqual({ running: 0, pending: 0, activeServices: 1 });
    expect(codeOf(() => model.findCluster("missing"))).toBe("ClusterNotFoundException");
  });

  it("creates a service with its first deployment and refuses what ECS refuses", () => {
    const { model } = ecs();
    const created = service(model);
    expect(created.deployments.map((d) => [d.status, d.rolloutState])).toEqual([["PRIMARY", "IN_PROGRESS"]]);
    expect(created.deploymentConfiguration).toEqual({
      deploymentCircuitBreaker: { enable: false, rollback: false },
      maximumPercent: 200,
      minimumHealthyPercent: 100,
    });
    expect(model.listServices("platform")).toEqual([created.serviceArn]);
    expect(model.tagsOf(created.serviceArn)).toEqual([{ key: "env", value: "qa" }]);
    const td = created.taskDefinition;
    const create =
      (extra: object, tgExists = () => true) =>
      () =>
        model.createService(
          { cluster: "platform", serviceName: "b", taskDefinition: td, desiredCount: 1, ...extra },
          [],
          tgExists,
        );
    expect(codeOf(create({ serviceName: "api" }))).toBe("InvalidParameterException");
    expect(codeOf(create({ desiredCount: undefined }))).toBe("InvalidParameterException");
    expect(codeOf(create({ launchType: "FARGATE" }))).toBe("InvalidParameterException");
    expect(codeOf(create({ healthCheckGracePeriodSeconds: 30 }))).toBe("InvalidParameterException");
    const lb = { targetGroupArn: TG, containerName: "app", containerPort: 3000 };
    expect(codeOf(create({ loadBalancers: [{ ...lb, containerPort: 9999 }] }))).toBe(
      "InvalidParameterException",
    );
    expect(codeOf(create({ loadBalancers: [lb] }, () => false))).toBe("InvalidParameterException");
    expect(codeOf(create({ deploymentConfiguration: { deploymentCircuitBreaker: { enable: true } } }))).toBe(
      "InvalidParameterException",
    );
    expect(codeOf(create({ loadBalancers: [lb] }))).toBeUndefined();
  });

  it("describes services, tasks and service deployments with a failure for each miss", () => {
    const { model } = ecs();
    const created = service(model);
    const described = model.describeServices("platform", ["api", "gone"]);
    expect(described.services).toEqual([created]);
    expect(described.failures).toEqual([
      { arn: "arn:aws:ecs:us-east-1:000000000000:service/platform/gone", reason: "MISSING" },
    ]);
    expect(model.describeTasks("platform", ["0123"]).failures).toEqual([{ arn: "0123", reason: "MISSING" }]);
    const [sd] = model.listServiceDeployments({ cluster: "platform", service: "api" });
    const found = model.describeServiceDeployments([sd!.serviceDeploymentArn, "arn:nope"]);
    expect(found.serviceDeployments).toEqual([sd]);
    expect(found.failures).toEqual([{ arn: "arn:nope", reason: "MISSING" }]);
    expect(codeOf(() => model.stopServiceDeployment({}))).toBe("InvalidParameterException");
    expect(
      codeOf(() =>
        model.stopServiceDeployment({ serviceDeploymentArn: sd!.serviceDeploymentArn, stopType: "NOW" }),
      ),
    ).toBe("InvalidParameterException");
  });

  it("stops a task on request with the user's reason, and tags only resources that exist", () => {
    const { model } = ecs();
    service(model, 1);
    const [task] = model.reconcile();
    expect(model.containerInstance("platform")).toMatchObject({ pendingTasksCount: 1, runningTasksCount: 0 });
    const stopped = model.stopTask("platform", task!.taskId, "enough");
    expect([stopped.desiredStatus, stopped.stoppedReason, stopped.stopCode]).toEqual([
      "STOPPED",
      "enough",
      "UserInitiated",
    ]);
    expect(codeOf(() => model.stopTask("platform", "missing"))).toBe("InvalidParameterException");
    expect(codeOf(() => model.stopTask("platform", task!.taskId, "x".repeat(256)))).toBe(
      "InvalidParameterException",
    );
    model.tagResource(task!.taskArn, [{ key: "a", value: "1" }]);
    model.untagResource(task!.taskArn, ["a"]);
    expect(model.tagsOf(task!.taskArn)).toEqual([]);
    expect(codeOf(() => model.tagResource("arn:aws:ecs:us-east-1:000000000000:cluster/none", []))).toBe(
      "ResourceNotFoundException",
    );
    expect(codeOf(() => model.tagsOf("not-an-arn"))).toBe("InvalidParameterException");
  });

  it("announces what the runtime reports, and only that: API requests are committed by their caller", () => {
    const { model } = ecs();
    let announced = 0;
    const unsubscribe = model.onRuntimeChange(() => announced++);
    service(model, 1);
    expect(announced).toBe(0);
    const [task] = model.reconcile();
    expect(announced).toBe(1);
    model.reconcile();
    expect(announced).toBe(1);
    model.lifecycle.pending(task!);
    model.lifecycle.failedToStart(task!, "CannotPullContainerError: no such image");
    expect(announced).toBe(3);
    unsubscribe();
    model.reconcile();
    expect(announced).toBe(3);
  });
});
