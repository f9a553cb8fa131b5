import { PutMetricAlarmCommand } from "@aws-sdk/client-cloudwatch";
import { PutMetricFilterCommand } from "@aws-sdk/client-cloudwatch-logs";
import {
  CreateTopicCommand,
  ListSubscriptionsByTopicCommand,
  SubscribeCommand,
  type Subscription,
  UnsubscribeCommand,
} from "@aws-sdk/client-sns";
import { type HttpSubscriber, notifierConfig, startHttpSubscriber } from "@platform/alarm-notifier";
import {
  type AlarmDefinition,
  APP_NAMES,
  alarmDefinitions,
  alarmTopicNames,
  ENVIRONMENT_NAMES,
  type EnvironmentName,
  logGroupName,
  metricFilters,
  notifierLogLines,
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
  alternateTargetGroups: Record<string, string> = {},
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
    alternateTargetGroups: Object.fromEntries(
      APP_NAMES.flatMap((app) => {
        const green = alternateTargetGroups[serviceName(app, env)];
        return green ? [[app, targetGroupDimension(green)]] : [];
      }),
    ),
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
    const page = await clients.sns.send(
      new ListSubscriptionsByTopicCommand({ TopicArn: topicArn, NextToken }),
    );
    all.push(...(page.Subscriptions ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  return all;
}

/**
 * The alarm notifier of each environment, the same code as the Lambda on AWS, here as an HTTP
 * subscriber of the environment's alarm topic: it turns CloudWatch's notification into the e-mail
 * with the log lines and publishes it to the e-mail topic.
 */
export async function startNotifiers(
  clients: Clients,
  topics: Topics,
  alarms: Record<EnvironmentName, AlarmDefinition[]>,
  regionEndpoint: string,
  log: (line: string) => void,
): Promise<HttpSubscriber[]> {
  const started: HttpSubscriber[] = [];
  try {
    for (const env of ENVIRONMENT_NAMES) {
      const subscriber = await startHttpSubscriber({
        config: notifierConfig.parse({
          environment: env,
          emailTopicArn: topics[env].emails,
          logLines: notifierLogLines(alarms[env]),
          logGroupNames: APP_NAMES.map((app) => logGroupName(app, env)),
        }),
        clients: { logs: clients.logs, sns: clients.sns },
        confirmOrigins: [regionEndpoint],
        log,
      });
      started.push(subscriber);
      await ensureNotifierSubscription(clients, topics[env].alarms, subscriber.url);
    }
    return started;
  } catch (error) {
    await Promise.all(started.map((s) => s.close()));
    throw error;
  }
}

/** Alarms, filters, topics, subscriptions and notifiers of both environments; returns what to stop. */
export async function setUpMonitoring(
  clients: Clients,
  spec: PlatformSpec,
  boot: {
    loadBalancerArn: string;
    targetGroups: Record<string, string>;
    alternateTargetGroups: Record<string, string>;
  },
  regionEndpoint: string,
  say: (line: string) => void,
  log: (line: string) => void,
): Promise<HttpSubscriber[]> {
  const topics = await ensureTopics(clients);
  await ensureEmailSubscriptions(clients, spec, topics, say);
  await ensureMetricFilters(clients);
  const alarms = {} as Record<EnvironmentName, AlarmDefinition[]>;
  for (const env of ENVIRONMENT_NAMES) {
    alarms[env] = localAlarmDefinitions(
      spec,
      env,
      boot.loadBalancerArn,
      boot.targetGroups,
      boot.alternateTargetGroups,
    );
    await ensureAlarms(clients, alarms[env], topics[env].alarms);
  }
  return startNotifiers(clients, topics, alarms, regionEndpoint, log);
}
