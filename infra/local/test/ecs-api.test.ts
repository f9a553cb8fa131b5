import {
  CreateClusterCommand,
  CreateServiceCommand,
  DeleteClusterCommand,
  DeleteServiceCommand,
  DeregisterTaskDefinitionCommand,
  DescribeClustersCommand,
  DescribeContainerInstancesCommand,
  DescribeServiceDeploymentsCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ListClustersCommand,
  ListContainerInstancesCommand,
  ListServiceDeploymentsCommand,
  ListServicesCommand,
  ListTagsForResourceCommand,
  ListTaskDefinitionFamiliesCommand,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
  StopTaskCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EcsPlugin } from "../src/services/ecs/plugin.js";
import { LogsPlugin } from "../src/services/logs/plugin.js";
import { startTestRegion, type TestRegion } from "../src/testing/index.js";
import { errorOf } from "./aws-error.js";

// ECS through the @aws-sdk v3 client over real HTTP: each operation, and AWS's errors for bad input.

let region: TestRegion;
let ecs: ECSClient;

beforeAll(async () => {
  const logs = new LogsPlugin();
  region = await startTestRegion([
    logs,
    new EcsPlugin({ logs, taskPorts: { from: 43300, to: 43399 }, log: () => {} }),
  ]);
  ecs = region.client(ECSClient);
}, 30_000);

afterAll(async () => {
  await region?.cleanup();
}, 30_000);

const container = (extra: Record<string, unknown> = {}) => ({
  name: "web",
  image: "000000000000.dkr.ecr.us-east-1.localhost:4566/web:1",
  memory: 128,
  portMappings: [{ containerPort: 8080, hostPort: 0 }],
  ...extra,
});

describe("ECS API", () => {
  it("manages clusters and the one local container instance", async () => {
    const created = await ecs.send(
      new CreateClusterCommand({ clusterName: "api-test", tags: [{ key: "team", value: "platform" }] }),
    );
    expect(created.cluster).toMatchObject({
      clusterName: "api-test",
      status: "ACTIVE",
      registeredContainerInstancesCount: 1,
    });
    expect((await ecs.send(new ListClustersCommand({}))).clusterArns).toContain(created.cluster?.clusterArn);
    const described = await ecs.send(new DescribeClustersCommand({ clusters: ["api-test", "nope"] }));
    expect(described.clusters?.map((c) => c.clusterName)).toEqual(["api-test"]);
    expect(described.failures).toEqual([expect.objectContaining({ reason: "MISSING" })]);
    const instances = await ecs.send(new ListContainerInstancesCommand({ cluster: "api-test" }));
    const [instanceArn] = instances.containerInstanceArns ?? [];
    expect(instanceArn).toMatch(/:container-instance\/api-test\/i-0local[0-9a-f]{9}$/);
    const instance = await ecs.send(
      new DescribeContainerInstancesCommand({
        cluster: "api-test",
        containerInstances: [instanceArn as string],
      }),
    );
    expect(instance.containerInstances?.[0]).toMatchObject({ status: "ACTIVE", agentConnected: true });
    expect(instance.containerInstances?.[0]?.ec2InstanceId).toMatch(/^i-0local/);
    expect((await errorOf(ecs.send(new ListServicesCommand({ cluster: "missing" })))).name).toBe(
      "ClusterNotFoundException",
    );
    await ecs.send(new DeleteClusterCommand({ cluster: "api-test" }));
    expect((await errorOf(ecs.send(new ListServicesCommand({ cluster: "api-test" })))).name).toBe(
      "ClusterNotFoundException",
    );
  });

  it("registers revisions, describes them with tags, deregisters them to INACTIVE and lists families", async () => {
    const first = await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: "web",
        containerDefinitions: [container()],
        tags: [{ key: "image", value: "web:1" }],
      }),
    );
    const second = await ecs.send(
      new RegisterTaskDefinitionCommand({ family: "web", containerDefinitions: [container()] }),
    );
    expect([first.taskDefinition?.revision, second.taskDefinition?.revision]).toEqual([1, 2]);
    expect(second.taskDefinition?.containerDefinitions?.[0]?.portMappings?.[0]).toEqual({
      containerPort: 8080,
      hostPort: 0,
      protocol: "tcp",
    });
    const latest = await ecs.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: "web", include: ["TAGS"] }),
    );
    expect(latest.taskDefinition?.revision).toBe(2);
    const tagged = await ecs.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: "web:1", include: ["TAGS"] }),
    );
    expect(tagged.tags).toEqual([{ key: "image", value: "web:1" }]);

    const gone = await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: "web:1" }));
    expect(gone.taskDefinition?.status).toBe("INACTIVE");
    expect(gone.taskDefinition?.deregisteredAt).toBeInstanceOf(Date);
    expect(
      (await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: "web" }))).taskDefinitionArns,
    ).toEqual([second.taskDefinition?.taskDefinitionArn]);
    expect(
      (await ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: "web", status: "INACTIVE" })))
        .taskDefinitionArns,
    ).toEqual([first.taskDefinition?.taskDefinitionArn]);
    expect((await ecs.send(new ListTaskDefinitionFamiliesCommand({ familyPrefix: "we" }))).families).toEqual([
      "web",
    ]);
    const again = await errorOf(ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: "web:1" })));
    expect(again.name).toBe("ClientException");
  });

  it("refuses task definitions AWS refuses, with its error codes", async () => {
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [
        { family: "bad name!", containerDefinitions: [container()] },
        "InvalidParameterException",
        /Family name/,
      ],
      [{ family: "web", containerDefinitions: [] }, "ClientException", /Container list cannot be empty/],
      [
        { family: "web", containerDefinitions: [container({ memory: undefined })] },
        "ClientException",
        /'memory' or 'memoryReservation'/,
      ],
      [
        { family: "web", containerDefinitions: [container({ portMappings: [{ containerPort: 70000 }] })] },
        "InvalidParameterException",
        /containerPort .* 0 to 65535/,
      ],
      [
        { family: "web", containerDefinitions: [container({ memory: 64, memoryReservation: 128 })] },
        "ClientException",
        /memory reservation must be less than or equal to memory/,
      ],
    ];
    for (const [input, code, message] of cases) {
      const error = await errorOf(ecs.send(new RegisterTaskDefinitionCommand(input as never)));
      expect(error.name).toBe(code);
      expect(error.message).toMatch(message);
      expect(error.status).toBe(400);
    }
  });

  it("creates, updates, describes, deploys and deletes services; tags them", async () => {
    await ecs.send(new CreateClusterCommand({ clusterName: "svc-test" }));
    const td = await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: "svc",
        containerDefinitions: [container({ image: "none/missing:1" })],
      }),
    );
    const arn = td.taskDefinition?.taskDefinitionArn;
    const created = await ecs.send(
      new CreateServiceCommand({
        cluster: "svc-test",
        serviceName: "svc",
        taskDefinition: arn,
        desiredCount: 0,
      }),
    );
    expect(created.service?.deployments?.[0]).toMatchObject({
      status: "PRIMARY",
      rolloutState: "IN_PROGRESS",
      taskDefinition: arn,
    });
    expect(created.service?.deployments?.[0]?.id).toMatch(/^ecs-svc\/\d{19}$/);
    expect(
      (
        await errorOf(
          ecs.send(
            new CreateServiceCommand({
              cluster: "svc-test",
              serviceName: "svc",
              taskDefinition: arn,
              desiredCount: 0,
            }),
          ),
        )
      ).message,
    ).toMatch(/not idempotent/);
    expect(
      (
        await errorOf(
          ecs.send(
            new CreateServiceCommand({
              cluster: "svc-test",
              serviceName: "lb",
              taskDefinition: arn,
              desiredCount: 1,
              loadBalancers: [
                {
                  targetGroupArn: "arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/x/1",
                  containerName: "web",
                  containerPort: 9999,
                },
              ],
            }),
          ),
        )
      ).message,
    ).toMatch(/did not have a container port 9999/);

    const unchanged = await ecs.send(
      new UpdateServiceCommand({ cluster: "svc-test", service: "svc", desiredCount: 0 }),
    );
    expect(unchanged.service?.deployments).toHaveLength(1);
    const forced = await ecs.send(
      new UpdateServiceCommand({ cluster: "svc-test", service: "svc", forceNewDeployment: true }),
    );
    expect(forced.service?.deployments?.map((d) => d.status)).toEqual(["PRIMARY", "ACTIVE"]);

    const deployments = await ecs.send(
      new ListServiceDeploymentsCommand({ cluster: "svc-test", service: "svc" }),
    );
    expect(deployments.serviceDeployments?.length).toBe(2);
    const [newest] = deployments.serviceDeployments ?? [];
    const detail = await ecs.send(
      new DescribeServiceDeploymentsCommand({
        serviceDeploymentArns: [newest?.serviceDeploymentArn as string],
      }),
    );
    expect(detail.serviceDeployments?.[0]?.deploymentCircuitBreaker?.threshold).toBe(3);

    const serviceArn = created.service?.serviceArn as string;
    await ecs.send(
      new TagResourceCommand({
        resourceArn: serviceArn,
        tags: [
          { key: "env", value: "qa" },
          { key: "x", value: "1" },
        ],
      }),
    );
    await ecs.send(new UntagResourceCommand({ resourceArn: serviceArn, tagKeys: ["x"] }));
    expect((await ecs.send(new ListTagsForResourceCommand({ resourceArn: serviceArn }))).tags).toEqual([
      { key: "env", value: "qa" },
    ]);

    expect(
      (await errorOf(ecs.send(new DescribeServicesCommand({ cluster: "svc-test", services: [] })))).name,
    ).toBe("InvalidParameterException");
    expect(
      (await errorOf(ecs.send(new UpdateServiceCommand({ cluster: "svc-test", service: "nope" })))).name,
    ).toBe("ServiceNotFoundException");
    expect((await errorOf(ecs.send(new StopTaskCommand({ cluster: "svc-test", task: "0123" })))).name).toBe(
      "InvalidParameterException",
    );

    const deleted = await ecs.send(new DeleteServiceCommand({ cluster: "svc-test", service: "svc" }));
    expect(deleted.service?.status).toBe("DRAINING");
    expect(
      (
        await errorOf(
          ecs.send(new UpdateServiceCommand({ cluster: "svc-test", service: "svc", desiredCount: 1 })),
        )
      ).name,
    ).toBe("ServiceNotActiveException");
  });
});
