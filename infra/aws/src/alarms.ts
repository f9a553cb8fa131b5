import {
  type AlarmDefinition,
  type AppName,
  alarmDefinitions,
  alarmTopicNames,
  type EnvironmentName,
  logGroupName,
  metricFilters,
  notifierLogLines,
  type PlatformSpec,
} from "@platform/env";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AlarmNotifier } from "./alarm-notifier.js";
import type { AccountContext } from "./iam.js";

export interface AlarmTargets {
  targetGroupArnSuffix: pulumi.Input<string>;
  /** The green group of a service that shifts traffic: its target alarms too. */
  alternateTargetGroupArnSuffix?: pulumi.Input<string> | undefined;
  logGroupName: pulumi.Input<string>;
  serviceName: pulumi.Input<string>;
}

export interface AlarmsArgs {
  spec: PlatformSpec;
  env: EnvironmentName;
  account: pulumi.Input<AccountContext>;
  clusterName: pulumi.Input<string>;
  loadBalancerArnSuffix: pulumi.Input<string>;
  services: Record<AppName, AlarmTargets>;
  /** The notifier's code archive; its bundle folder by default. */
  notifierCode?: pulumi.asset.Archive;
}

/**
 * The environment's alarms, all from `@platform/env`'s definitions: the alarm topic every alarm and OK
 * goes to, the notifier that turns those into e-mails with the log lines behind them, the e-mail topic
 * the recipients subscribe to, and the metric filters on the services' JSON logs.
 */
export class Alarms extends pulumi.ComponentResource {
  readonly topicArn: pulumi.Output<string>;
  readonly emailTopicArn: pulumi.Output<string>;

  constructor(name: string, args: AlarmsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:aws:Alarms", name, {}, opts);
    const topics = alarmTopicNames(args.env);
    const topic = new aws.sns.Topic(name, { name: topics.alarms }, { parent: this });
    const emails = new aws.sns.Topic(`${name}-emails`, { name: topics.emails }, { parent: this });
    args.spec.alarms.recipients.forEach((endpoint, i) => {
      new aws.sns.TopicSubscription(
        `${name}-email-${i}`,
        { topic: emails.arn, protocol: "email", endpoint },
        { parent: this },
      );
    });
    this.metricFilters(name, args);
    const definitions = alarmDefinitions(args.spec, args.env, {
      loadBalancer: args.loadBalancerArnSuffix,
      clusterName: args.clusterName,
      targetGroups: perApp(args, (s) => s.targetGroupArnSuffix),
      alternateTargetGroups: alternatesOf(args),
      serviceNames: perApp(args, (s) => s.serviceName),
    });
    for (const alarm of definitions) this.alarm(name, alarm, topic.arn);
    this.notifier(name, args, definitions, topic.arn, emails.arn);
    this.topicArn = topic.arn;
    this.emailTopicArn = emails.arn;
    this.registerOutputs({ topicArn: this.topicArn, emailTopicArn: this.emailTopicArn });
  }

  private alarm(name: string, a: AlarmDefinition<pulumi.Input<string>>, topicArn: pulumi.Output<string>) {
    new aws.cloudwatch.MetricAlarm(
      `${name}-${a.alarmName}`,
      {
        name: a.alarmName,
        alarmDescription: a.alarmDescription,
        namespace: a.namespace,
        metricName: a.metricName,
        dimensions: a.dimensions,
        statistic: a.statistic,
        extendedStatistic: a.extendedStatistic,
        period: a.period,
        evaluationPeriods: a.evaluationPeriods,
        datapointsToAlarm: a.datapointsToAlarm,
        threshold: a.threshold,
        comparisonOperator: a.comparisonOperator,
        treatMissingData: a.treatMissingData,
        alarmActions: [topicArn],
        okActions: [topicArn],
      },
      { parent: this },
    );
  }

  /** Each filter on its service's log group resource, so the group exists before its filter. */
  private metricFilters(name: string, args: AlarmsArgs): void {
    const groups = new Map(
      Object.entries(args.services).map(([app, s]) => [
        logGroupName(app as AppName, args.env),
        s.logGroupName,
      ]),
    );
    for (const f of metricFilters(args.env)) {
      new aws.cloudwatch.LogMetricFilter(
        `${name}-${f.filterName}`,
        {
          name: f.filterName,
          logGroupName: groups.get(f.logGroupName) ?? f.logGroupName,
          pattern: f.filterPattern,
          metricTransformation: {
            name: f.metricName,
            namespace: f.metricNamespace,
            value: f.metricValue,
            defaultValue: String(f.defaultValue),
          },
        },
        { parent: this },
      );
    }
  }

  private notifier(
    name: string,
    args: AlarmsArgs,
    definitions: AlarmDefinition<unknown>[],
    alarmTopicArn: pulumi.Output<string>,
    emailTopicArn: pulumi.Output<string>,
  ): void {
    const logGroupNames = Object.keys(args.services).map((app) => logGroupName(app as AppName, args.env));
    new AlarmNotifier(
      `${name}-notifier`,
      {
        env: args.env,
        account: args.account,
        alarmTopicArn,
        emailTopicArn,
        logGroupNames,
        config: { environment: args.env, logLines: notifierLogLines(definitions), logGroupNames },
        logRetentionDays: args.spec.environments[args.env].services.api.logRetentionDays,
        code: args.notifierCode,
      },
      { parent: this },
    );
  }
}

function alternatesOf(args: AlarmsArgs): Partial<Record<AppName, pulumi.Input<string>>> {
  const out: Partial<Record<AppName, pulumi.Input<string>>> = {};
  for (const [app, s] of Object.entries(args.services) as [AppName, AlarmTargets][]) {
    if (s.alternateTargetGroupArnSuffix !== undefined) out[app] = s.alternateTargetGroupArnSuffix;
  }
  return out;
}

function perApp<T>(args: AlarmsArgs, pick: (s: AlarmTargets) => T): Record<AppName, T> {
  return { api: pick(args.services.api), "media-server": pick(args.services["media-server"]) };
}
