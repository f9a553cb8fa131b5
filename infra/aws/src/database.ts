import type { EnvironmentName, EnvironmentSpec } from "@platform/env";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export const POSTGRES_PORT = 5432;
export const POSTGRES_MAJOR_VERSION = "17";
/** Where api/Dockerfile puts the RDS global CA bundle; the API verifies the server against it (verify-full). */
export const RDS_CA_BUNDLE_FILE = "/usr/local/share/rds/global-bundle.pem";

export interface DatabaseArgs {
  env: EnvironmentName;
  database: EnvironmentSpec["database"];
  vpcId: pulumi.Input<string>;
  privateSubnetIds: pulumi.Input<string[]>;
  /** The only security group allowed in: the ECS instances'. */
  clientSecurityGroupId: pulumi.Input<string>;
}

/**
 * The transcoding API's PostgreSQL: private subnets, reachable from the ECS instances only, encrypted,
 * its master password generated and rotated by RDS in Secrets Manager (never in config or state).
 */
export class Database extends pulumi.ComponentResource {
  readonly address: pulumi.Output<string>;
  readonly port: pulumi.Output<number>;
  readonly databaseName: pulumi.Output<string>;
  readonly secretArn: pulumi.Output<string>;

  constructor(name: string, args: DatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:aws:Database", name, {}, opts);
    const isProd = args.env === "prod";
    const subnets = new aws.rds.SubnetGroup(name, { subnetIds: args.privateSubnetIds }, { parent: this });
    const securityGroup = new aws.ec2.SecurityGroup(
      `${name}-db`,
      {
        vpcId: args.vpcId,
        description: `PostgreSQL of ${args.env}: from the ECS instances only`,
        ingress: [
          {
            protocol: "tcp",
            fromPort: POSTGRES_PORT,
            toPort: POSTGRES_PORT,
            securityGroups: [args.clientSecurityGroupId],
            description: "PostgreSQL from the ECS instances",
          },
        ],
        egress: [],
      },
      { parent: this },
    );
    const instance = new aws.rds.Instance(
      name,
      {
        engine: "postgres",
        engineVersion: POSTGRES_MAJOR_VERSION,
        instanceClass: args.database.instanceClass,
        allocatedStorage: args.database.allocatedStorageGb,
        maxAllocatedStorage: args.database.allocatedStorageGb * 2,
        storageType: "gp3",
        storageEncrypted: true,
        multiAz: args.database.multiAz,
        dbName: "transcoding",
        username: "platform",
        manageMasterUserPassword: true,
        dbSubnetGroupName: subnets.name,
        vpcSecurityGroupIds: [securityGroup.id],
        publiclyAccessible: false,
        port: POSTGRES_PORT,
        autoMinorVersionUpgrade: true,
        backupRetentionPeriod: isProd ? 14 : 1,
        deletionProtection: isProd,
        skipFinalSnapshot: !isProd,
        finalSnapshotIdentifier: isProd ? `${name}-final` : undefined,
        copyTagsToSnapshot: true,
        tags: { Environment: args.env },
      },
      { parent: this },
    );
    this.address = instance.address;
    this.port = instance.port;
    this.databaseName = instance.dbName;
    this.secretArn = instance.masterUserSecrets.apply((secrets) => {
      const arn = secrets?.[0]?.secretArn;
      if (!arn) throw new Error(`RDS ${name} reports no managed master user secret`);
      return arn;
    });
    this.registerOutputs({ address: this.address, port: this.port, secretArn: this.secretArn });
  }
}
