import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

// Least-privilege policy documents (pure, unit-tested) and the roles of one ECS service.

export interface PolicyStatement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Action: string[];
  Resource: string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: PolicyStatement[];
}

/**
 * Actions AWS doesn't let a policy scope to a resource, so they need `Resource: "*"`, with the condition key
 * that must bound them instead where AWS offers one.
 */
export const UNSCOPABLE_ACTIONS: Readonly<Record<string, string | undefined>> = {
  "ecr:GetAuthorizationToken": undefined,
  "cloudwatch:PutMetricData": "cloudwatch:namespace",
  "ecs:RegisterTaskDefinition": undefined,
  "ecs:DescribeTaskDefinition": undefined,
  "ecs:ListTaskDefinitions": undefined,
  "ecs:DeregisterTaskDefinition": undefined,
  "ecs:ListServices": "ecs:cluster",
  "ecs:ListTasks": "ecs:cluster",
  "elasticloadbalancing:DescribeTargetHealth": undefined,
  "elasticloadbalancing:DescribeTargetGroups": undefined,
  "elasticloadbalancing:DescribeListeners": undefined,
  "elasticloadbalancing:DescribeRules": undefined,
  "logs:DescribeLogGroups": undefined,
  "ssm:DescribeParameters": undefined,
  "sns:ListTopics": undefined,
};

export function assumeRolePolicy(service: string): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }],
  });
}

export interface ExecutionGrants {
  repositoryArns: string[];
  logGroupArns: string[];
  parameterArns: string[];
  secretArns: string[];
}

/** What the ECS agent needs to start a task: pull its image, write its logs, read its secrets. */
export function executionPolicy(grants: ExecutionGrants): PolicyDocument {
  const statements: PolicyStatement[] = [
    { Sid: "EcrLogin", Effect: "Allow", Action: ["ecr:GetAuthorizationToken"], Resource: ["*"] },
    {
      Sid: "PullOwnImages",
      Effect: "Allow",
      Action: ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
      Resource: grants.repositoryArns,
    },
    {
      Sid: "WriteOwnLogs",
      Effect: "Allow",
      Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
      Resource: grants.logGroupArns.map((arn) => `${arn}:log-stream:*`),
    },
  ];
  if (grants.parameterArns.length > 0) {
    statements.push({
      Sid: "ReadOwnParameters",
      Effect: "Allow",
      Action: ["ssm:GetParameters"],
      Resource: grants.parameterArns,
    });
  }
  if (grants.secretArns.length > 0) {
    statements.push({
      Sid: "ReadOwnSecrets",
      Effect: "Allow",
      Action: ["secretsmanager:GetSecretValue"],
      Resource: grants.secretArns,
    });
  }
  return { Version: "2012-10-17", Statement: statements };
}

export interface ApiGrants {
  bucketArn: string;
  /** Object key prefix the API owns, e.g. `objects/`. */
  objectPrefix: string;
  metricNamespace: string;
  databaseSecretArn: string;
}

/** The transcoding API at run time: its objects, its metric namespace, its database credentials. */
export function apiTaskPolicy(grants: ApiGrants): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "OwnObjects",
        Effect: "Allow",
        Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"],
        Resource: [`${grants.bucketArn}/${grants.objectPrefix}*`],
      },
      {
        Sid: "ListOwnPrefix",
        Effect: "Allow",
        Action: ["s3:ListBucket"],
        Resource: [grants.bucketArn],
        Condition: { StringLike: { "s3:prefix": [`${grants.objectPrefix}*`] } },
      },
      {
        Sid: "PublishOwnMetrics",
        Effect: "Allow",
        Action: ["cloudwatch:PutMetricData"],
        Resource: ["*"],
        Condition: { StringEquals: { "cloudwatch:namespace": grants.metricNamespace } },
      },
      {
        Sid: "ReadDatabaseCredentials",
        Effect: "Allow",
        Action: ["secretsmanager:GetSecretValue"],
        Resource: [grants.databaseSecretArn],
      },
    ],
  };
}

/** The media server at run time: its recordings, under one prefix of the environment's bucket. */
export function mediaTaskPolicy(grants: { bucketArn: string; recordingsPrefix: string }): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "OwnRecordings",
        Effect: "Allow",
        Action: ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload"],
        Resource: [`${grants.bucketArn}/${grants.recordingsPrefix}*`],
      },
    ],
  };
}

export interface AccountContext {
  partition: string;
  region: string;
  accountId: string;
}

export function ssmParameterArn(ctx: AccountContext, name: string): string {
  // SSM parameter names in the spec start with "/", which the ARN keeps after "parameter".
  return `arn:${ctx.partition}:ssm:${ctx.region}:${ctx.accountId}:parameter${name}`;
}

export function logGroupArn(ctx: AccountContext, name: string): string {
  return `arn:${ctx.partition}:logs:${ctx.region}:${ctx.accountId}:log-group:${name}`;
}

export interface NotifierGrants {
  /** The notifier's own log group. */
  ownLogGroupArn: string;
  /** The environment's log groups, whose lines and metric filters the e-mails quote. */
  logGroupArns: string[];
  emailTopicArn: string;
}

/** The alarm notifier: its own logs, the environment's log lines and filters, the e-mail topic. */
export function notifierPolicy(grants: NotifierGrants): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "WriteOwnLogs",
        Effect: "Allow",
        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
        Resource: [`${grants.ownLogGroupArn}:log-stream:*`],
      },
      {
        Sid: "ReadEnvironmentLogs",
        Effect: "Allow",
        Action: ["logs:DescribeMetricFilters", "logs:FilterLogEvents"],
        // Log APIs are authorized against the group's ARN with or without the `:*` suffix.
        Resource: grants.logGroupArns.flatMap((arn) => [arn, `${arn}:*`]),
      },
      {
        Sid: "SendAlarmEmails",
        Effect: "Allow",
        Action: ["sns:Publish"],
        Resource: [grants.emailTopicArn],
      },
    ],
  };
}

export interface ServiceRolesArgs {
  executionPolicy: pulumi.Input<PolicyDocument>;
  /** Leave out for a service that needs no AWS API at run time. */
  taskPolicy?: pulumi.Input<PolicyDocument>;
}

/** One service's two roles: the execution role the ECS agent uses, and the task role its code uses. */
export class ServiceRoles extends pulumi.ComponentResource {
  readonly executionRoleArn: pulumi.Output<string>;
  readonly taskRoleArn: pulumi.Output<string>;

  constructor(name: string, args: ServiceRolesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:aws:ServiceRoles", name, {}, opts);
    const trust = assumeRolePolicy("ecs-tasks.amazonaws.com");
    const execution = new aws.iam.Role(
      `${name}-execution`,
      { assumeRolePolicy: trust, description: `ECS agent for ${name}: image, logs, secrets` },
      { parent: this },
    );
    new aws.iam.RolePolicy(
      `${name}-execution`,
      { role: execution.name, policy: pulumi.jsonStringify(args.executionPolicy) },
      { parent: this },
    );
    const task = new aws.iam.Role(
      `${name}-task`,
      { assumeRolePolicy: trust, description: `${name} at run time` },
      { parent: this },
    );
    if (args.taskPolicy) {
      new aws.iam.RolePolicy(
        `${name}-task`,
        { role: task.name, policy: pulumi.jsonStringify(args.taskPolicy) },
        { parent: this },
      );
    }
    this.executionRoleArn = execution.arn;
    this.taskRoleArn = task.arn;
    this.registerOutputs({ executionRoleArn: this.executionRoleArn, taskRoleArn: this.taskRoleArn });
  }
}
