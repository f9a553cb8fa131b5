import { LAMBDA_BUNDLE_DIR, LAMBDA_HANDLER } from "@platform/alarm-notifier/bundle";
import { CONFIG_VARIABLE, type NotifierConfig } from "@platform/alarm-notifier/config";
import type { EnvironmentName } from "@platform/env";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { type AccountContext, assumeRolePolicy, logGroupArn, notifierPolicy } from "./iam.js";

// The notifier on AWS: a Lambda subscribed to the alarm topic that publishes the formatted e-mail to the
// e-mail topic. Its code is the notifier workspace's bundle (`npm run bundle -w @platform/alarm-notifier`).

/** Lambda's Node.js 24 runtime, which the pinned @pulumi/aws (7.48) knows. */
export const NOTIFIER_RUNTIME = aws.lambda.Runtime.NodeJS24dX;

export interface AlarmNotifierArgs {
  env: EnvironmentName;
  account: pulumi.Input<AccountContext>;
  alarmTopicArn: pulumi.Input<string>;
  emailTopicArn: pulumi.Input<string>;
  /** The environment's log groups: all the notifier may read. */
  logGroupNames: string[];
  /** Everything in its configuration but the e-mail topic, which is created beside it. */
  config: Omit<NotifierConfig, "emailTopicArn">;
  logRetentionDays: number;
  /** The code archive; the bundle folder by default. */
  code?: pulumi.asset.Archive;
}

export function notifierFunctionName(env: EnvironmentName): string {
  return `platform-alarm-notifier-${env}`;
}

export class AlarmNotifier extends pulumi.ComponentResource {
  readonly functionArn: pulumi.Output<string>;

  constructor(name: string, args: AlarmNotifierArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:aws:AlarmNotifier", name, {}, opts);
    const functionName = notifierFunctionName(args.env);
    const logs = new aws.cloudwatch.LogGroup(
      name,
      { name: `/aws/lambda/${functionName}`, retentionInDays: args.logRetentionDays },
      { parent: this },
    );
    const role = new aws.iam.Role(
      name,
      {
        assumeRolePolicy: assumeRolePolicy("lambda.amazonaws.com"),
        description: `${functionName}: alarm e-mails`,
      },
      { parent: this },
    );
    const policy = new aws.iam.RolePolicy(
      name,
      { role: role.name, policy: pulumi.jsonStringify(this.policy(args, logs.name)) },
      { parent: this },
    );
    const fn = new aws.lambda.Function(
      name,
      {
        name: functionName,
        runtime: NOTIFIER_RUNTIME,
        handler: LAMBDA_HANDLER,
        code: args.code ?? new pulumi.asset.FileArchive(LAMBDA_BUNDLE_DIR),
        role: role.arn,
        timeout: 60,
        memorySize: 256,
        environment: {
          variables: {
            [CONFIG_VARIABLE]: pulumi.jsonStringify({ ...args.config, emailTopicArn: args.emailTopicArn }),
          },
        },
      },
      // Its log group exists first, so Lambda doesn't create one without retention.
      { parent: this, dependsOn: [logs, policy] },
    );
    this.subscribe(name, args.alarmTopicArn, fn);
    this.functionArn = fn.arn;
    this.registerOutputs({ functionArn: this.functionArn });
  }

  private policy(args: AlarmNotifierArgs, ownLogGroup: pulumi.Output<string>) {
    return pulumi
      .all([args.account, ownLogGroup, args.emailTopicArn])
      .apply(([account, own, emailTopicArn]) =>
        notifierPolicy({
          ownLogGroupArn: logGroupArn(account, own),
          logGroupArns: args.logGroupNames.map((group) => logGroupArn(account, group)),
          emailTopicArn,
        }),
      );
  }

  /** SNS may invoke the function for this topic only; the subscription waits for that permission. */
  private subscribe(name: string, topicArn: pulumi.Input<string>, fn: aws.lambda.Function): void {
    const permission = new aws.lambda.Permission(
      name,
      {
        action: "lambda:InvokeFunction",
        function: fn.name,
        principal: "sns.amazonaws.com",
        sourceArn: topicArn,
      },
      { parent: this },
    );
    new aws.sns.TopicSubscription(
      `${name}-lambda`,
      { topic: topicArn, protocol: "lambda", endpoint: fn.arn },
      { parent: this, dependsOn: [permission] },
    );
  }
}
