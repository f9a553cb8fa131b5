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
}

export function readSharedOutputs(sharedStack: string): SharedStackOutputs {
  const ref = new pulumi.StackReference(sharedStack);
  const string = (key: string) => ref.requireOutput(key) as pulumi.Output<string>;
  const targetGroups = ref.requireOutput("targetGroups") as pulumi.Output<
    Record<string, { arn: string; arnSuffix: string }>
  >;
  const targetGroup = (serviceName: string) => {
    const group = targetGroups.apply((groups) => {
      const found = groups[serviceName];
      if (!found) {
        throw new Error(
          `the shared stack ${sharedStack} has no target group ${serviceName}: run \`pulumi up\` on it first`,
        );
      }
      return found;
    });
    return { arn: group.arn, arnSuffix: group.arnSuffix };
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
  };
}
