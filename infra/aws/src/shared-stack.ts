import { ENVIRONMENT_NAMES, type EnvironmentName, type PlatformSpec } from "@platform/env";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Cluster } from "./cluster.js";
import { GITHUB_OIDC_HOST } from "./deploy-role.js";
import { Edge } from "./edge.js";
import { LoadBalancerRole } from "./load-balancer-role.js";
import { Network } from "./network.js";
import type { StackSettings } from "./settings.js";
import { environmentUrl } from "./urls.js";

/**
 * The stack both environments stand on: the network, the ALB with its listeners, rules and target groups
 * (ELBv2 wants the default action and unique rule priorities in one place), and the ECS cluster.
 */
export function sharedStack(spec: PlatformSpec, settings: StackSettings) {
  const network = new Network("platform", { network: spec.network });
  const edge = new Edge("platform", {
    spec,
    vpcId: network.vpcId,
    publicSubnetIds: network.publicSubnetIds,
  });
  const loadBalancerRole = new LoadBalancerRole(
    "ecs-load-balancers",
    pulumi
      .all([
        pulumi.all(
          [...Object.values(edge.targetGroups), ...Object.values(edge.alternateTargetGroups)].map(
            (tg) => tg.arn,
          ),
        ),
        pulumi.all(edge.listenerArns),
        pulumi.all(Object.values(edge.listenerRules).flatMap((r) => [r.production, r.test])),
      ])
      .apply(([targetGroupArns, listenerArns, ruleArns]) => ({ targetGroupArns, listenerArns, ruleArns })),
  );
  const cluster = new Cluster("platform", {
    spec,
    vpcId: network.vpcId,
    subnetIds: network.publicSubnetIds,
    albSecurityGroupId: edge.securityGroupId,
  });
  if (settings.githubRepository && !settings.githubOidcProviderExists) {
    // Account-wide: the environment stacks' CI roles trust it by its well-known ARN.
    new aws.iam.OpenIdConnectProvider("github-actions", {
      url: `https://${GITHUB_OIDC_HOST}`,
      clientIdLists: ["sts.amazonaws.com"],
    });
  }
  const urls = Object.fromEntries(ENVIRONMENT_NAMES.map((env) => [env, environmentUrl(spec, env)])) as Record<
    EnvironmentName,
    string
  >;
  return {
    urls,
    vpcId: network.vpcId,
    publicSubnetIds: network.publicSubnetIds,
    privateSubnetIds: network.privateSubnetIds,
    albDnsName: edge.dnsName,
    albZoneId: edge.zoneId,
    albArnSuffix: edge.loadBalancerArnSuffix,
    albSecurityGroupId: edge.securityGroupId,
    targetGroups: pulumi.output(edge.targetGroups),
    alternateTargetGroups: pulumi.output(edge.alternateTargetGroups),
    listenerRules: pulumi.output(edge.listenerRules),
    loadBalancerRoleArn: loadBalancerRole.roleArn,
    clusterName: cluster.clusterName,
    clusterArn: cluster.clusterArn,
    capacityProviderName: cluster.capacityProviderName,
    instanceSecurityGroupId: cluster.instanceSecurityGroupId,
  };
}

export type SharedOutputs = pulumi.Unwrap<ReturnType<typeof sharedStack>>;
