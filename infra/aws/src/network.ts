import type { PlatformSpec } from "@platform/env";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { planSubnets } from "./subnets.js";

export interface NetworkArgs {
  network: PlatformSpec["network"];
}

/**
 * The VPC everything runs in: the spec's existing VPC and subnets, or a new VPC with public subnets (ALB and
 * ECS instances, which need public addresses for WebRTC media) and private subnets (RDS only, so no NAT).
 */
export class Network extends pulumi.ComponentResource {
  readonly vpcId: pulumi.Output<string>;
  readonly publicSubnetIds: pulumi.Output<string[]>;
  readonly privateSubnetIds: pulumi.Output<string[]>;

  constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:aws:Network", name, {}, opts);
    const { network } = args;
    if (network.vpcId) {
      this.vpcId = pulumi.output(network.vpcId);
      this.publicSubnetIds = pulumi.output(network.publicSubnetIds ?? []);
      this.privateSubnetIds = pulumi.output(network.privateSubnetIds ?? []);
    } else {
      const created = this.createVpc(name, network.cidrBlock ?? "", network.availabilityZones);
      this.vpcId = created.vpcId;
      this.publicSubnetIds = created.publicSubnetIds;
      this.privateSubnetIds = created.privateSubnetIds;
    }
    this.registerOutputs({
      vpcId: this.vpcId,
      publicSubnetIds: this.publicSubnetIds,
      privateSubnetIds: this.privateSubnetIds,
    });
  }

  private createVpc(name: string, cidrBlock: string, zones: number) {
    const plan = planSubnets(cidrBlock, zones);
    const azs = aws.getAvailabilityZonesOutput({ state: "available" }, { parent: this });
    const zone = (i: number) => azs.names.apply((names) => pickZone(names, i));
    const vpc = new aws.ec2.Vpc(
      name,
      { cidrBlock, enableDnsHostnames: true, enableDnsSupport: true, tags: { Name: name } },
      { parent: this },
    );
    const gateway = new aws.ec2.InternetGateway(name, { vpcId: vpc.id }, { parent: this });
    const publicRoutes = new aws.ec2.RouteTable(
      `${name}-public`,
      { vpcId: vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: gateway.id }] },
      { parent: this },
    );
    const publicSubnets = plan.publicCidrs.map((cidr, i) => {
      const subnet = new aws.ec2.Subnet(
        `${name}-public-${i}`,
        {
          vpcId: vpc.id,
          cidrBlock: cidr,
          availabilityZone: zone(i),
          mapPublicIpOnLaunch: true,
          tags: { Name: `${name}-public-${i}` },
        },
        { parent: this },
      );
      new aws.ec2.RouteTableAssociation(
        `${name}-public-${i}`,
        { subnetId: subnet.id, routeTableId: publicRoutes.id },
        { parent: this },
      );
      return subnet;
    });
    const privateSubnets = plan.privateCidrs.map(
      (cidr, i) =>
        new aws.ec2.Subnet(
          `${name}-private-${i}`,
          {
            vpcId: vpc.id,
            cidrBlock: cidr,
            availabilityZone: zone(i),
            mapPublicIpOnLaunch: false,
            tags: { Name: `${name}-private-${i}` },
          },
          { parent: this },
        ),
    );
    return {
      vpcId: vpc.id,
      publicSubnetIds: pulumi.all(publicSubnets.map((s) => s.id)),
      privateSubnetIds: pulumi.all(privateSubnets.map((s) => s.id)),
    };
  }
}

function pickZone(names: string[], index: number): string {
  const name = names[index];
  if (!name) throw new Error(`the region has ${names.length} availability zones; the spec asks for more`);
  return name;
}
