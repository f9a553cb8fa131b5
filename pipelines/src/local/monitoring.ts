import { PutMetricAlarmCommand } from "@aws-sdk/client-cloudwatch";
import { PutMetricFilterCommand } from "@aws-sdk/client-cloudwatch-logs";
import {
  CreateTopicCommand,
  ListSubscriptionsByTopicCommand,
  type Subscription,
  SubscribeCommand,
  UnsubscribeCommand,
} from "@aws-sdk/client-sns";
import {
  type AlarmDefinition,
  APP_NAMES,
  alarmDefinitions,
  alarmTopicNames,
  ENVIRONMENT_NAMES,
  type EnvironmentName,
  metricFilters,
  type PlatformSpec,
  serviceName,
} from "@platform/env";
import { CLUSTER } from "./bootstrap.js";
import type { Clients } from "./clients.js";

// The environment's alarms as the Pulumi program creates them on AWS, from the same definitions
// (env/src/alarms.ts): two topics (alarm actions; the e-mails people subscribe to), the metric
// filters on the services' JSON logs, and every alarm with its actions. PutMetricFilter,
// PutMetricAlarm and CreateTopic are idempotent, so a restart re-applies them unchanged.

export interface EnvironmentTopics {
  alarms: string;
  emails: string;
}

export type Topics = Record<EnvironmentName, EnvironmentTopics>;

/** The dimension values CloudWatch reports for an ALB and a target group: the ARN's resource part. */
export function loadBalancerDimension(loadBalancerArn: string): string {
  return loadBalancerArn.slice(loadBalancerArn.indexOf(":loadbalancer/") + ":loadbalancer/".length);
}

export function targetGroupDimension(targetGroupArn: string): string {
  return targetGroupArn.slice(targetGroupArn.lastIndexOf(":") + 1);
}

/** Every alarm of an environment, with the local region's ARNs for its dimensions. */
export function localAlarmDefinitions(
  spec: PlatformSpec,
  env: EnvironmentName,
  loadBalancerArn: string,
  targetGroups: Record<string, string>,
): AlarmDefinition[] {
  const perApp = (value: (app: (typeof APP_NAMES)[number]) => string) =>
    Object.fromEntries(APP_NAMES.map((app) => [app, value(app)])) as Record<
      (typeof APP_NAMES)[number],
      string
    >;
  return alarmDefinitions(spec, env, {
    loadBalancer: loadBalancerDimension(loadBalancerArn),
    clusterName: CLUSTER,
    targetGroups: perApp((app) => targetGroupDimension(targetGroups[serviceName(app, env)] as string)),
    serviceNames: perApp((app) => serviceName(app, env)),
  });
}

export async function ensureTopics(clients: Clients): Promise<Topics> {
  const topics = {} as Topics;
  for (const env of ENVIRONMENT_NAMES) {
    const names = alarmTopicNames(env);
    const arn = async (Name: string) =>
      (await clients.sns.send(new CreateTopicCommand({ Name }))).TopicArn as string;
    topics[env] = { alarms: await arn(names.alarms), emails: await arn(names.emails) };
  }
  return topics;
}

/**
 * The spec's recipients on each environment's e-mail topic. As on AWS, a new e-mail subscription
 * waits for its recipient to follow the link in the confirmation e-mail.
 */
export async function ensureEmailSubscriptions(
  clients: Clients,
  spec: PlatformSpec,
  topics: Topics,
  say: (line: string) => void,
): Promise<void> {
  for (const env of ENVIRONMENT_NAMES) {
    const existing = await subscriptionsOf(clients, topics[env].emails);
    for (const recipient of spec.alarms.recipients) {
      if (existing.some((s) => s.Protocol === "email" && s.Endpoint === recipient)) continue;
      await clients.sns.send(
        new SubscribeCommand({ TopicArn: topics[env].emails, Protocol: "email", Endpoint: recipient }),
      );
      say(`subscribed ${recipient} to ${env} alarm e-mails (confirmation e-mail sent)`);
    }
  }
}

/**
 * Points the alarm topic at this run's notifier endpoint, and drops the subscriptions of earlier
 * runs: their ports are gone, and SNS would keep retrying them.
 */
export async function ensureNotifierSubscription(
  clients: Clients,
  topicArn: string,
  endpoint: string,
): Promise<void> {
  const existing = await subscriptionsOf(clients, topicArn);
  for (const stale of existing.filter((s) => s.Protocol === "http" && s.Endpoint !== endpoint)) {
    if (stale.SubscriptionArn?.startsWith("arn:"))
      await clients.sns.send(new UnsubscribeCommand({ SubscriptionArn: stale.SubscriptionArn }));
  }
  if (existing.some((s) => s.Protocol === "http" && s.Endpoint === endpoint)) return;
  await clients.sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: "http", Endpoint: endpoint }));
}

export async function ensureMetricFilters(clients: Clients): Promise<void> {
  for (const env of ENVIRONMENT_NAMES) {
    for (const f of metricFilters(env)) {
      await clients.logs.send(
        new PutMetricFilterCommand({
          logGroupName: f.logGroupName,
          filterName: f.filterName,
          filterPattern: f.filterPattern,
          metricTransformations: [
            {
              metricName: f.metricName,
              metricNamespace: f.metricNamespace,
              metricValue: f.metricValue,
              defaultValue: f.defaultValue,
            },
          ],
        }),
      );
    }
  }
}

export async function ensureAlarms(
  clients: Clients,
  alarms: AlarmDefinition[],
  topicArn: string,
): Promise<void> {
  for (const a of alarms) {
    await clients.cloudwatch.send(
      new PutMetricAlarmCommand({
        AlarmName: a.alarmName,
        AlarmDescription: a.alarmDescription,
        Namespace: a.namespace,
        MetricName: a.metricName,
        Dimensions: Object.entries(a.dimensions).map(([Name, Value]) => ({ Name, Value })),
        Statistic: a.statistic,
        ExtendedStatistic: a.extendedStatistic,
        Period: a.period,
        EvaluationPeriods: a.evaluationPeriods,
        DatapointsToAlarm: a.datapointsToAlarm,
        Threshold: a.threshold,
        ComparisonOperator: a.comparisonOperator,
        TreatMissingData: a.treatMissingData,
        ActionsEnabled: true,
        AlarmActions: [topicArn],
        OKActions: [topicArn],
      }),
    );
  }
}

async function subscriptionsOf(clients: Clients, topicArn: string): Promise<Subscription[]> {
  const all: Subscription[] = [];
  let NextToken: string | undefined;
  do {
    const page = await clients.sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn, NextToken }));
    all.push(...(page.Subscriptions ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  return all;
}
