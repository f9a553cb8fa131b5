import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** Denies every request that doesn't come over TLS. */
export function tlsOnlyBucketPolicy(bucketArn: string): object {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [bucketArn, `${bucketArn}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ],
  };
}

/** The transcoding API's object storage for one environment: private, encrypted, versioned, TLS only. */
export class Storage extends pulumi.ComponentResource {
  readonly bucketName: pulumi.Output<string>;
  readonly bucketArn: pulumi.Output<string>;

  constructor(name: string, _args: Record<string, never>, opts?: pulumi.ComponentResourceOptions) {
    super("platform:aws:Storage", name, {}, opts);
    const bucket = new aws.s3.Bucket(name, { forceDestroy: false }, { parent: this });
    const publicAccess = new aws.s3.BucketPublicAccessBlock(
      name,
      {
        bucket: bucket.id,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      },
      { parent: this },
    );
    new aws.s3.BucketOwnershipControls(
      name,
      { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } },
      { parent: this },
    );
    new aws.s3.BucketServerSideEncryptionConfiguration(
      name,
      {
        bucket: bucket.id,
        rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" }, bucketKeyEnabled: true }],
      },
      { parent: this },
    );
    new aws.s3.BucketVersioning(
      name,
      { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } },
      { parent: this },
    );
    new aws.s3.BucketLifecycleConfiguration(
      name,
      {
        bucket: bucket.id,
        rules: [
          {
            id: "expire-old-versions",
            status: "Enabled",
            filter: {},
            noncurrentVersionExpiration: { noncurrentDays: 30 },
            abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
          },
        ],
      },
      { parent: this },
    );
    new aws.s3.BucketPolicy(
      name,
      { bucket: bucket.id, policy: bucket.arn.apply((arn) => JSON.stringify(tlsOnlyBucketPolicy(arn))) },
      // A bucket policy is refused while the public access block is being set up.
      { parent: this, dependsOn: [publicAccess] },
    );
    this.bucketName = bucket.bucket;
    this.bucketArn = bucket.arn;
    this.registerOutputs({ bucketName: this.bucketName, bucketArn: this.bucketArn });
  }
}
