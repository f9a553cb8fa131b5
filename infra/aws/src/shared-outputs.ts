import * as pulumi from "@pulumi/pulumi";
import type { TargetGroupRef } from "./edge.js";

/** What an environment stack reads from the shared stack, each output required and named on failure. */
export interface SharedStackOutputs {
  vpcId: pulumi.Output<string>;
  privateSubnetIds: pulumi.Output<string[]>;
  clusterName: pulumi.Output<string>;
  clusterArn: pulumi.Output<string>;
  capacityProviderName: pulumi.Output<string>;
  instanceSecurityGroupId: pulumi.Output<string>;
  albArnSuffix: pulumi.Output<string>;
  targetGroup(serviceName: string): TargetGroupRef;
  /** A traffic-shifting service's green group, by its name (`api-qa-green`). */
  alternateTargetGroup(alternateName: string): TargetGroupRef;
  /** What ECS needs to shift a service's traffic between its two target groups. */
  trafficShift(serviceName: string, alternateName: string): TrafficShiftRefs;
}

export interface TrafficShiftRefs {
  alternateTargetGroupArn: pulumi.Output<string>;
  productionListenerRule: pulumi.Output<string>;
  testListenerRule: pulumi.Output<string>;
  roleArn: pulumi.Output<string>;
}

export function readSharedOutputs(sharedStack: string): SharedStackOutputs {
  const ref = new pulumi.StackReference(sharedStack);
  const string = (key: string) => ref.requireOutput(key) as pulumi.Output<string>;
  const entry = <T>(output: string, what: string) => {
    const all = ref.requireOutput(output) as pulumi.Output<Record<string, T>>;
    return (key: string) =>
      all.apply((entries) => {
        const found = entries[key];
        if (!found) {
          throw new Error(
            `the shared stack ${sharedStack} has no ${what} ${key}: run \`pulumi up\` on it first`,
          );
        }
        return found;
      });
  };
  const targetGroupOf = entry<{ arn: string; arnSuffix: string }>("targetGroups", "target group");
  const alternateOf = entry<{ arn: string; arnSuffix: string }>(
    "alternateTargetGroups",
    "alternate target group",
  );
  const rulesOf = entry<{ production: string; test: string }>("listenerRules", "listener rules for");
  const targetGroup = (serviceName: string) => {
    const group = targetGroupOf(serviceName);
    return { arn: group.arn, arnSuffix: group.arnSuffix };
  };
  const alternateTargetGroup = (alternateName: string) => {
    const group = alternateOf(alternateName);
    return { arn: group.arn, arnSuffix: group.arnSuffix };
  };
  const trafficShift = (serviceName: string, alternateName: string): TrafficShiftRefs => {
    const rules = rulesOf(serviceName);
    return {
      alternateTargetGroupArn: alternateOf(alternateName).arn,
      productionListenerRule: rules.production,
      testListenerRule: rules.test,
      roleArn: string("loadBalancerRoleArn"),
    };
  };
  return {
    vpcId: string("vpcId"),
    privateSubnetIds: ref.requireOutput("privateSubnetIds") as pulumi.Output<string[]>,
    clusterName: string("clusterName"),
    clusterArn: string("clusterArn"),
    capacityProviderName: string("capacityProviderName"),
    instanceSecurityGroupId: string("instanceSecurityGroupId"),
    albArnSuffix: string("albArnSuffix"),
    targetGroup,
    alternateTargetGroup,
    trafficShift,
  };
}
