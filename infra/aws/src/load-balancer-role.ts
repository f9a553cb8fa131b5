import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { assumeRolePolicy } from "./iam.js";

export interface LoadBalancerRoleGrants {
  targetGroupArns: string[];
  listenerArns: string[];
  ruleArns: string[];
}

/**
 * AmazonECSInfrastructureRolePolicyForLoadBalancers' actions, each on the resources of this ALB only: ECS
 * registers green's tasks, moves the rules' weights and reads what it moved.
 */
export function loadBalancerRolePolicy(grants: LoadBalancerRoleGrants): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "ReadTheLoadBalancer",
        Effect: "Allow",
        Action: [
          "elasticloadbalancing:DescribeListeners",
          "elasticloadbalancing:DescribeRules",
          "elasticloadbalancing:DescribeTargetGroups",
          "elasticloadbalancing:DescribeTargetHealth",
        ],
        Resource: "*",
      },
      {
        Sid: "RegisterTasks",
        Effect: "Allow",
        Action: ["elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"],
        Resource: grants.targetGroupArns,
      },
      {
        Sid: "ShiftListeners",
        Effect: "Allow",
        Action: "elasticloadbalancing:ModifyListener",
        Resource: grants.listenerArns,
      },
      {
        Sid: "ShiftRules",
        Effect: "Allow",
        Action: "elasticloadbalancing:ModifyRule",
        Resource: grants.ruleArns,
      },
    ],
  });
}

/** The role ECS assumes to shift a blue/green, canary or linear deployment's traffic on the shared ALB. */
export class LoadBalancerRole extends pulumi.ComponentResource {
  readonly roleArn: pulumi.Output<string>;

  constructor(
    name: string,
    grants: pulumi.Input<LoadBalancerRoleGrants>,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super("platform:aws:LoadBalancerRole", name, {}, opts);
    const role = new aws.iam.Role(
      name,
      {
        assumeRolePolicy: assumeRolePolicy("ecs.amazonaws.com"),
        description: "ECS shifts deployment traffic",
      },
      { parent: this },
    );
    new aws.iam.RolePolicy(
      name,
      { role: role.id, policy: pulumi.output(grants).apply(loadBalancerRolePolicy) },
      { parent: this },
    );
    this.roleArn = role.arn;
    this.registerOutputs({ roleArn: this.roleArn });
  }
}
