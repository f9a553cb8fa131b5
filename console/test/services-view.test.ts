import {
  DescribeServiceDeploymentsCommand,
  DescribeServiceRevisionsCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ListClustersCommand,
  ListServiceDeploymentsCommand,
  ListServicesCommand,
} from "@aws-sdk/client-ecs";
import {
  DescribeRulesCommand,
  ElasticLoadBalancingV2Client,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { mockClient } from "aws-sdk-client-mock";
import { describe, expect, it } from "vitest";
import type { RegionClients } from "../src/server/clients.js";
import { ServicesView } from "../src/server/services.js";

// The Services snapshot from what ECS and ELBv2 answer (mocked AWS): the split from the production
// rule's weights, the current deployment and the history in ListServiceDeployments' order.

const TG = (name: string) => `arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/${name}/abc`;

describe("ServicesView", () => {
  it("reads strategy, counts, the traffic split and the deployment in progress", async () => {
    const ecs = mockClient(ECSClient);
    const elb = mockClient(ElasticLoadBalancingV2Client);
    ecs.on(ListClustersCommand).resolves({ clusterArns: ["arn:aws:ecs:us-east-1:0:cluster/platform"] });
    ecs
      .on(ListServicesCommand)
      .resolves({ serviceArns: ["arn:aws:ecs:us-east-1:0:service/platform/api-prod"] });
    ecs.on(DescribeServicesCommand).resolves({
      services: [
        {
          serviceName: "api-prod",
          desiredCount: 2,
          runningCount: 3,
          taskDefinition: "arn:aws:ecs:us-east-1:0:task-definition/api-prod:7",
          deploymentConfiguration: { strategy: "CANARY" },
          loadBalancers: [{ advancedConfiguration: { productionListenerRule: "rule-1" } } as never],
          events: [{ createdAt: new Date(5), message: "has reached a steady state." }],
        },
      ],
    });
    ecs.on(ListServiceDeploymentsCommand).resolves({
      serviceDeployments: [{ serviceDeploymentArn: "sd-new" }, { serviceDeploymentArn: "sd-old" }],
    });
    ecs.on(DescribeServiceDeploymentsCommand).resolves({
      serviceDeployments: [
        {
          serviceDeploymentArn: "sd-old",
          status: "ROLLBACK_SUCCESSFUL",
          rollback: { reason: "alarm api-prod-5xx" },
        },
        {
          serviceDeploymentArn: "sd-new",
          status: "IN_PROGRESS",
          lifecycleStage: "PRODUCTION_TRAFFIC_SHIFT",
          targetServiceRevision: { arn: "rev-7" },
        },
      ],
    });
    ecs.on(DescribeServiceRevisionsCommand).resolves({
      serviceRevisions: [
        { serviceRevisionArn: "rev-7", taskDefinition: "arn:aws:ecs:::task-definition/api-prod:7" },
      ],
    });
    ecs.on(DescribeTaskDefinitionCommand).resolves({
      taskDefinition: {
        containerDefinitions: [
          { logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": "/ecs/api-prod" } } },
        ],
      },
    });
    elb.on(DescribeRulesCommand).resolves({
      Rules: [
        {
          Actions: [
            {
              Type: "forward",
              ForwardConfig: {
                TargetGroups: [
                  { TargetGroupArn: TG("api-prod"), Weight: 90 },
                  { TargetGroupArn: TG("api-prod-green"), Weight: 10 },
                ],
              },
            },
          ],
        },
      ],
    });
    const clients = { ecs: new ECSClient({}), elb: new ElasticLoadBalancingV2Client({}) } as RegionClients;
    const [view] = await new ServicesView(clients).snapshot();
    expect(view).toMatchObject({
      name: "api-prod",
      environment: "prod",
      strategy: "CANARY",
      desired: 2,
      running: 3,
      taskDefinition: "api-prod:7",
      logGroup: "/ecs/api-prod",
      traffic: [
        { targetGroup: "api-prod", weight: 90 },
        { targetGroup: "api-prod-green", weight: 10 },
      ],
      current: { arn: "sd-new", lifecycleStage: "PRODUCTION_TRAFFIC_SHIFT", revision: "api-prod:7" },
    });
    expect(view?.history.map((d) => [d.arn, d.rollbackReason])).toEqual([
      ["sd-new", ""],
      ["sd-old", "alarm api-prod-5xx"],
    ]);
    ecs.restore();
    elb.restore();
  });
});
