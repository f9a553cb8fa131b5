import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface RepositoryArgs {
  /** Tagged images to keep; older ones expire (a rollback needs a few). */
  keepImages: number;
}

/** ECR lifecycle rules: untagged layers go after a day, tagged images beyond the newest N go. */
export function lifecyclePolicy(keepImages: number): object {
  return {
    rules: [
      {
        rulePriority: 1,
        description: "expire untagged images after a day",
        selection: {
          tagStatus: "untagged",
          countType: "sinceImagePushed",
          countUnit: "days",
          countNumber: 1,
        },
        action: { type: "expire" },
      },
      {
        rulePriority: 2,
        description: `keep the last ${keepImages} images`,
        selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: keepImages },
        action: { type: "expire" },
      },
    ],
  };
}

/** One service's image repository: immutable tags (a tag always means the same image), scanned on push. */
export class Repository extends pulumi.ComponentResource {
  readonly repositoryUrl: pulumi.Output<string>;
  readonly arn: pulumi.Output<string>;

  constructor(name: string, args: RepositoryArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:aws:Repository", name, {}, opts);
    const repository = new aws.ecr.Repository(
      name,
      {
        name,
        imageTagMutability: "IMMUTABLE",
        imageScanningConfiguration: { scanOnPush: true },
        encryptionConfigurations: [{ encryptionType: "AES256" }],
      },
      { parent: this },
    );
    new aws.ecr.LifecyclePolicy(
      name,
      { repository: repository.name, policy: JSON.stringify(lifecyclePolicy(args.keepImages)) },
      { parent: this },
    );
    this.repositoryUrl = repository.repositoryUrl;
    this.arn = repository.arn;
    this.registerOutputs({ repositoryUrl: this.repositoryUrl, arn: this.arn });
  }
}
