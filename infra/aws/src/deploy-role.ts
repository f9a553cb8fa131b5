import type { EnvironmentName } from "@platform/env";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { AccountContext, PolicyDocument, PolicyStatement } from "./iam.js";

/** GitHub Actions' OIDC issuer; one provider per AWS account, created by the shared stack. */
export const GITHUB_OIDC_HOST = "token.actions.githubusercontent.com";

export interface DeployGrants {
  account: AccountContext;
  clusterName: string;
  /** `api-qa`, `media-server-qa`: task definition families and ECS services. */
  serviceNames: string[];
  /** Repositories the pipeline pushes to. */
  pushRepositoryArns: string[];
  /** Repositories a promotion copies from (qa's, for prod); none for qa. */
  pullRepositoryArns: string[];
  /** The execution and task roles the new task definitions name. */
  passRoleArns: string[];
  logGroupArns: string[];
  /** Secrets Manager secrets `ecs verify` checks exist (never reads). */
  secretArns: string[];
  /**
   * The one secret the pipeline's functional checks read: the API's admin key, sent as the bearer
   * token of the transcoding job verify-qa and the green check run (pipelines/src/pipeline/checks/).
   */
  checkSecret?: { kind: "ssm" | "secretsManager"; arn: string };
  /** The environment's e-mail topic, where the pipeline's notices go (pipelines/src/pipeline/notices/). */
  noticeTopicArns?: string[];
}

/**
 * What the pipeline's image and `ecs` stages call for one environment (pipelines/src), each scoped to
 * the environment's repositories, services, roles and logs.
 */
export function deployPolicy(g: DeployGrants): PolicyDocument {
  const { partition, region, accountId } = g.account;
  const ecs = (resource: string) => `arn:${partition}:ecs:${region}:${accountId}:${resource}`;
  const clusterArn = ecs(`cluster/${g.clusterName}`);
  const statements: PolicyStatement[] = [
    { Sid: "EcrLogin", Effect: "Allow", Action: ["ecr:GetAuthorizationToken"], Resource: ["*"] },
    {
      Sid: "PushOwnImages",
      Effect: "Allow",
      Action: [
        "ecr:BatchCheckLayerAvailability",
        "ecr:BatchGetImage",
        "ecr:CompleteLayerUpload",
        "ecr:DescribeImages",
        "ecr:DescribeRepositories",
        "ecr:GetDownloadUrlForLayer",
        "ecr:InitiateLayerUpload",
        "ecr:PutImage",
        "ecr:UploadLayerPart",
      ],
      Resource: g.pushRepositoryArns,
    },
    {
      Sid: "TaskDefinitions",
      Effect: "Allow",
      Action: [
        "ecs:DeregisterTaskDefinition",
        "ecs:DescribeTaskDefinition",
        "ecs:ListTaskDefinitions",
        "ecs:RegisterTaskDefinition",
      ],
      Resource: ["*"],
    },
    {
      Sid: "TagOwnTaskDefinitions",
      Effect: "Allow",
      Action: ["ecs:TagResource"],
      Resource: g.serviceNames.map((name) => ecs(`task-definition/${name}:*`)),
    },
    {
      Sid: "DeployOwnServices",
      Effect: "Allow",
      Action: ["ecs:DescribeServices", "ecs:ListServiceDeployments", "ecs:UpdateService"],
      Resource: g.serviceNames.map((name) => ecs(`service/${g.clusterName}/${name}`)),
    },
    {
      Sid: "RollBackOwnDeployments",
      Effect: "Allow",
      Action: ["ecs:DescribeServiceDeployments", "ecs:StopServiceDeployment"],
      Resource: g.serviceNames.map((name) => ecs(`service-deployment/${g.clusterName}/${name}/*`)),
    },
    {
      Sid: "ListInCluster",
      Effect: "Allow",
      Action: ["ecs:ListServices", "ecs:ListTasks"],
      Resource: ["*"],
      Condition: { ArnEquals: { "ecs:cluster": clusterArn } },
    },
    {
      Sid: "DescribeClusterTasks",
      Effect: "Allow",
      Action: ["ecs:DescribeContainerInstances", "ecs:DescribeTasks"],
      Resource: [ecs(`task/${g.clusterName}/*`), ecs(`container-instance/${g.clusterName}/*`)],
    },
    {
      Sid: "PassOwnTaskRoles",
      Effect: "Allow",
      Action: ["iam:PassRole"],
      Resource: g.passRoleArns,
      Condition: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } },
    },
    { Sid: "VerifyOwnTaskRoles", Effect: "Allow", Action: ["iam:GetRole"], Resource: g.passRoleArns },
    {
      Sid: "ReadTargetHealth",
      Effect: "Allow",
      Action: ["elasticloadbalancing:DescribeTargetGroups", "elasticloadbalancing:DescribeTargetHealth"],
      Resource: ["*"],
    },
    { Sid: "FindLogGroups", Effect: "Allow", Action: ["logs:DescribeLogGroups"], Resource: ["*"] },
    {
      Sid: "ReadOwnLogs",
      Effect: "Allow",
      Action: ["logs:GetLogEvents"],
      Resource: g.logGroupArns.map((arn) => `${arn}:log-stream:*`),
    },
    { Sid: "FindParameters", Effect: "Allow", Action: ["ssm:DescribeParameters"], Resource: ["*"] },
  ];
  if (g.pullRepositoryArns.length > 0) {
    statements.push({
      Sid: "PullPromotedImages",
      Effect: "Allow",
      Action: [
        "ecr:BatchCheckLayerAvailability",
        "ecr:BatchGetImage",
        "ecr:DescribeImages",
        "ecr:GetDownloadUrlForLayer",
      ],
      Resource: g.pullRepositoryArns,
    });
  }
  if (g.secretArns.length > 0) {
    statements.push({
      Sid: "VerifyOwnSecrets",
      Effect: "Allow",
      Action: ["secretsmanager:DescribeSecret"],
      Resource: g.secretArns,
    });
  }
  if (g.checkSecret) statements.push(readCheckSecret(g.checkSecret));
  if (g.noticeTopicArns && g.noticeTopicArns.length > 0) {
    // The pipeline finds the topic by name (ListTopics lists names only) and publishes; it never creates one.
    statements.push(
      { Sid: "FindNoticeTopic", Effect: "Allow", Action: ["sns:ListTopics"], Resource: ["*"] },
      { Sid: "SendNotices", Effect: "Allow", Action: ["sns:Publish"], Resource: g.noticeTopicArns },
    );
  }
  return { Version: "2012-10-17", Statement: statements };
}

/** GetSecretValue or GetParameter on that one ARN; a SecureString's AWS-managed key needs no KMS grant. */
function readCheckSecret(secret: NonNullable<DeployGrants["checkSecret"]>): PolicyStatement {
  const action = secret.kind === "ssm" ? "ssm:GetParameter" : "secretsmanager:GetSecretValue";
  return { Sid: "ReadCheckSecret", Effect: "Allow", Action: [action], Resource: [secret.arn] };
}

/** Trust for GitHub Actions jobs of one repository that run in one GitHub environment (qa or prod). */
export function githubTrustPolicy(providerArn: string, repository: string, env: EnvironmentName): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Federated: providerArn },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
          StringEquals: {
            [`${GITHUB_OIDC_HOST}:aud`]: "sts.amazonaws.com",
            [`${GITHUB_OIDC_HOST}:sub`]: `repo:${repository}:environment:${env}`,
          },
        },
      },
    ],
  });
}

export interface DeployRoleArgs {
  env: EnvironmentName;
  /** `owner/repo` on GitHub. */
  repository: string;
  account: pulumi.Input<AccountContext>;
  policy: pulumi.Input<PolicyDocument>;
}

/** The role CI assumes to push and deploy one environment (AWS_DEPLOY_ROLE_ARN_<ENV> in the workflow). */
export class DeployRole extends pulumi.ComponentResource {
  readonly roleArn: pulumi.Output<string>;

  constructor(name: string, args: DeployRoleArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:aws:DeployRole", name, {}, opts);
    const providerArn = pulumi
      .output(args.account)
      .apply((a) => `arn:${a.partition}:iam::${a.accountId}:oidc-provider/${GITHUB_OIDC_HOST}`);
    const role = new aws.iam.Role(
      name,
      {
        assumeRolePolicy: providerArn.apply((arn) => githubTrustPolicy(arn, args.repository, args.env)),
        description: `CI (${args.repository}, environment ${args.env}): push images and deploy`,
        maxSessionDuration: 3600,
      },
      { parent: this },
    );
    new aws.iam.RolePolicy(
      name,
      { role: role.name, policy: pulumi.jsonStringify(args.policy) },
      { parent: this },
    );
    this.roleArn = role.arn;
    this.registerOutputs({ roleArn: this.roleArn });
  }
}
