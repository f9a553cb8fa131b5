import { APP_NAMES, ENVIRONMENT_NAMES, type PlatformSpec } from "@platform/env";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { assumeRolePolicy } from "./iam.js";
import { ecsUserData } from "./user-data.js";

/** The ECS-optimized Amazon Linux 2023 AMI, as AWS publishes it in SSM. */
export const ECS_AMI_PARAMETER = "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id";

const INSTANCE_MANAGED_POLICIES = [
  "arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role",
  "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
];

export interface ClusterArgs {
  spec: PlatformSpec;
  vpcId: pulumi.Input<string>;
  subnetIds: pulumi.Input<string[]>;
  albSecurityGroupId: pulumi.Input<string>;
}

/**
 * The ECS cluster both environments share, on EC2: a launch template that joins the cluster, an
 * autoscaling group the capacity provider scales (managed scaling, draining and termination protection),
 * and the instances' security group.
 */
export class Cluster extends pulumi.ComponentResource {
  readonly clusterName: pulumi.Output<string>;
  readonly clusterArn: pulumi.Output<string>;
  readonly capacityProviderName: pulumi.Output<string>;
  readonly instanceSecurityGroupId: pulumi.Output<string>;
  readonly instanceRoleArn: pulumi.Output<string>;

  constructor(name: string, args: ClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:aws:Cluster", name, {}, opts);
    const { spec } = args;
    const securityGroup = this.instanceSecurityGroup(name, spec, args);
    const role = this.instanceRole(name);
    const profile = new aws.iam.InstanceProfile(name, { role: role.name }, { parent: this });
    const template = this.launchTemplate(name, spec, securityGroup, profile);
    const group = this.autoScalingGroup(name, spec, template, args.subnetIds);
    const provider = this.capacityProvider(name, group);
    const cluster = new aws.ecs.Cluster(
      name,
      { name: spec.cluster.name, settings: [{ name: "containerInsights", value: "enabled" }] },
      { parent: this },
    );
    new aws.ecs.ClusterCapacityProviders(
      name,
      {
        clusterName: cluster.name,
        capacityProviders: [provider.name],
        defaultCapacityProviderStrategies: [{ capacityProvider: provider.name, weight: 1, base: 0 }],
      },
      { parent: this },
    );

    this.clusterName = cluster.name;
    this.clusterArn = cluster.arn;
    this.capacityProviderName = provider.name;
    this.instanceSecurityGroupId = securityGroup.id;
    this.instanceRoleArn = role.arn;
    this.registerOutputs({
      clusterName: this.clusterName,
      clusterArn: this.clusterArn,
      capacityProviderName: this.capacityProviderName,
      instanceSecurityGroupId: this.instanceSecurityGroupId,
    });
  }

  private instanceSecurityGroup(name: string, spec: PlatformSpec, args: ClusterArgs): aws.ec2.SecurityGroup {
    const { from, to } = spec.cluster.dynamicHostPorts;
    return new aws.ec2.SecurityGroup(
      `${name}-instances`,
      {
        vpcId: args.vpcId,
        description: "ECS instances: task host ports from the ALB; WebRTC media over UDP",
        ingress: [
          {
            protocol: "tcp",
            fromPort: from,
            toPort: to,
            securityGroups: [args.albSecurityGroupId],
            description: "dynamic host ports (hostPort 0), from the ALB only",
          },
          // WebRTC media can't go through an ALB: browsers send UDP straight to the task's ECS-mapped host
          // port, which they learn from ICE candidates. The agent maps only into the spec's narrow dynamic
          // range (user-data.ts), and only the media server maps UDP, so this opens its ports and no others.
          ...(hasMediaPorts(spec)
            ? [
                {
                  protocol: "udp",
                  fromPort: from,
                  toPort: to,
                  cidrBlocks: ["0.0.0.0/0"],
                  ipv6CidrBlocks: ["::/0"],
                  description: "WebRTC media (UDP) to the media server's mapped ports",
                },
              ]
            : []),
        ],
        egress: [
          {
            protocol: "-1",
            fromPort: 0,
            toPort: 0,
            cidrBlocks: ["0.0.0.0/0"],
            ipv6CidrBlocks: ["::/0"],
            description: "ECR, ECS, CloudWatch, SSM endpoints and WebRTC peers",
          },
        ],
      },
      { parent: this },
    );
  }

  private instanceRole(name: string): aws.iam.Role {
    const role = new aws.iam.Role(
      `${name}-instance`,
      { assumeRolePolicy: assumeRolePolicy("ec2.amazonaws.com"), description: "ECS container instances" },
      { parent: this },
    );
    INSTANCE_MANAGED_POLICIES.forEach((policyArn, i) => {
      new aws.iam.RolePolicyAttachment(
        `${name}-instance-${i}`,
        { role: role.name, policyArn },
        { parent: this },
      );
    });
    return role;
  }

  private launchTemplate(
    name: string,
    spec: PlatformSpec,
    securityGroup: aws.ec2.SecurityGroup,
    profile: aws.iam.InstanceProfile,
  ): aws.ec2.LaunchTemplate {
    const ami = aws.ssm.getParameterOutput({ name: ECS_AMI_PARAMETER }, { parent: this });
    const userData = ecsUserData(spec.cluster.name, longestStopTimeout(spec), spec.cluster.dynamicHostPorts);
    return new aws.ec2.LaunchTemplate(
      name,
      {
        imageId: ami.value,
        instanceType: spec.cluster.instanceType,
        iamInstanceProfile: { arn: profile.arn },
        userData: Buffer.from(userData).toString("base64"),
        // Public addresses: WebRTC media reaches the tasks directly, not through the ALB.
        networkInterfaces: [{ associatePublicIpAddress: "true", securityGroups: [securityGroup.id] }],
        // IMDSv2 only, and a hop limit of 1 so bridge-mode containers can't reach the instance's
        // credentials; tasks get theirs from their task role.
        metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 },
        monitoring: { enabled: true },
        tagSpecifications: [{ resourceType: "instance", tags: { Name: `${spec.cluster.name}-ecs` } }],
      },
      { parent: this },
    );
  }

  private autoScalingGroup(
    name: string,
    spec: PlatformSpec,
    template: aws.ec2.LaunchTemplate,
    subnetIds: pulumi.Input<string[]>,
  ): aws.autoscaling.Group {
    return new aws.autoscaling.Group(
      name,
      {
        minSize: spec.cluster.minInstances,
        maxSize: spec.cluster.maxInstances,
        vpcZoneIdentifiers: subnetIds,
        launchTemplate: { id: template.id, version: template.latestVersion.apply(String) },
        // Managed termination protection needs it: ECS decides which instance may go.
        protectFromScaleIn: true,
        healthCheckType: "EC2",
        tags: [{ key: "AmazonECSManaged", value: "true", propagateAtLaunch: true }],
      },
      // The capacity provider owns the instance count.
      { parent: this, ignoreChanges: ["desiredCapacity"] },
    );
  }

  private capacityProvider(name: string, group: aws.autoscaling.Group): aws.ecs.CapacityProvider {
    return new aws.ecs.CapacityProvider(
      name,
      {
        autoScalingGroupProvider: {
          autoScalingGroupArn: group.arn,
          managedTerminationProtection: "ENABLED",
          managedDraining: "ENABLED",
          managedScaling: {
            status: "ENABLED",
            targetCapacity: 100,
            minimumScalingStepSize: 1,
            maximumScalingStepSize: 2,
            instanceWarmupPeriod: 120,
          },
        },
      },
      { parent: this },
    );
  }
}

function hasMediaPorts(spec: PlatformSpec): boolean {
  return ENVIRONMENT_NAMES.some((env) =>
    APP_NAMES.some((app) => spec.environments[env].services[app].mediaUdpPortCount),
  );
}

function longestStopTimeout(spec: PlatformSpec): number {
  return Math.max(
    ...ENVIRONMENT_NAMES.flatMap((env) =>
      APP_NAMES.map((app) => spec.environments[env].services[app].stopTimeoutSeconds),
    ),
  );
}
