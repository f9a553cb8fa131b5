import {
  APP_NAMES,
  alarmTopicNames,
  defaultEnvironment,
  type EnvironmentName,
  metricFilters,
  type PlatformSpec,
} from "@platform/env";
import type { InvariantContext, Violation } from "./context.js";
import { list, obj, ofType, parseJson, type RecordedResource, str, TYPES } from "./resources.js";

/** The alarms the spec asks for, by name, with the threshold each must have. */
export function expectedAlarms(spec: PlatformSpec, env: EnvironmentName): Map<string, number> {
  const t = spec.environments[env].alarms;
  const expected = new Map<string, number>();
  if (env === defaultEnvironment(spec)) expected.set(`alb-5xx-${env}`, t.http5xxPerMinute);
  for (const app of APP_NAMES) {
    const key = `${app}-${env}`;
    expected.set(`${key}-5xx`, t.http5xxPerMinute);
    expected.set(`${key}-latency-p95`, t.targetResponseTimeSeconds);
    expected.set(`${key}-unhealthy-hosts`, t.unhealthyHosts);
    expected.set(`${key}-cpu`, t.cpuPercent);
    expected.set(`${key}-memory`, t.memoryPercent);
    expected.set(`${key}-error-logs`, t.errorLogLinesPerMinute);
    if (app === "api") expected.set(`${key}-job-failures`, t.jobFailuresPerFiveMinutes);
    else expected.set(`${key}-pipeline-failures`, t.pipelineFailuresPerFiveMinutes);
  }
  return expected;
}

/**
 * Every alarm says ALARM and OK to the alarm topic, which only the notifier hears; the recipients are
 * on the e-mail topic the notifier publishes to; thresholds and filters are the spec's.
 */
export function checkAlarms(
  resources: RecordedResource[],
  ctx: InvariantContext,
  env: EnvironmentName,
): Violation[] {
  const names = alarmTopicNames(env);
  const topicArn = topicArnOf(resources, names.alarms);
  const emailTopicArn = topicArnOf(resources, names.emails);
  if (!topicArn || !emailTopicArn)
    return [`alarms: expected the SNS topics ${names.alarms} and ${names.emails}`];
  return [
    ...checkRecipients(resources, ctx, emailTopicArn),
    ...checkAlarmActions(resources, topicArn),
    ...checkThresholds(resources, ctx, env),
    ...checkMetricFilters(resources, env),
    ...checkNotifier(resources, env, topicArn, emailTopicArn),
  ];
}

function topicArnOf(resources: RecordedResource[], name: string): string | undefined {
  return str(ofType(resources, TYPES.topic).find((t) => t.inputs.name === name)?.outputs.arn);
}

function checkRecipients(resources: RecordedResource[], ctx: InvariantContext, emailTopicArn: string) {
  const subscriptions = ofType(resources, TYPES.subscription).filter((s) => s.inputs.topic === emailTopicArn);
  return ctx.spec.alarms.recipients
    .filter((r) => !subscriptions.some((s) => s.inputs.protocol === "email" && s.inputs.endpoint === r))
    .map((r) => `alarms: no e-mail subscription for ${r}`);
}

function checkAlarmActions(resources: RecordedResource[], topicArn: string): Violation[] {
  return ofType(resources, TYPES.metricAlarm).flatMap((alarm) => {
    const name = String(alarm.inputs.name ?? alarm.name);
    const v = ["alarmActions", "okActions"]
      .filter((field) => !list(alarm.inputs[field]).includes(topicArn))
      .map((field) => `alarm ${name}: ${field} doesn't notify the SNS topic; nobody would hear of it`);
    if (alarm.inputs.treatMissingData !== "notBreaching") {
      v.push(
        `alarm ${name}: treatMissingData is ${String(alarm.inputs.treatMissingData)}; a quiet metric must count as OK ("notBreaching")`,
      );
    }
    return v;
  });
}

function checkThresholds(resources: RecordedResource[], ctx: InvariantContext, env: EnvironmentName) {
  const alarms = ofType(resources, TYPES.metricAlarm);
  const v: Violation[] = [];
  for (const [name, threshold] of expectedAlarms(ctx.spec, env)) {
    const alarm = alarms.find((a) => a.inputs.name === name);
    if (!alarm) v.push(`alarm ${name}: missing`);
    else if (alarm.inputs.threshold !== threshold) {
      v.push(`alarm ${name}: threshold ${String(alarm.inputs.threshold)}; the spec says ${threshold}`);
    }
  }
  return v;
}

function checkMetricFilters(resources: RecordedResource[], env: EnvironmentName): Violation[] {
  const filters = ofType(resources, TYPES.metricFilter);
  return metricFilters(env).flatMap((expected) => {
    const found = filters.find((f) => f.inputs.name === expected.filterName);
    if (!found) return [`metric filter ${expected.filterName}: missing`];
    if (
      found.inputs.pattern !== expected.filterPattern ||
      found.inputs.logGroupName !== expected.logGroupName
    ) {
      return [
        `metric filter ${expected.filterName}: ${String(found.inputs.pattern)} on ${String(found.inputs.logGroupName)}; expected ${expected.filterPattern} on ${expected.logGroupName}`,
      ];
    }
    return [];
  });
}

/** The notifier hears the alarm topic (subscribed, and allowed to be invoked by it) and reads no more than it must. */
function checkNotifier(
  resources: RecordedResource[],
  env: EnvironmentName,
  topicArn: string,
  emailTopicArn: string,
): Violation[] {
  const fn = ofType(resources, TYPES.lambdaFunction).find(
    (f) => f.inputs.name === `platform-alarm-notifier-${env}`,
  );
  if (!fn) return [`alarm notifier: no Lambda function platform-alarm-notifier-${env}`];
  const v: Violation[] = [];
  const subscribed = ofType(resources, TYPES.subscription).some(
    (s) =>
      s.inputs.topic === topicArn && s.inputs.protocol === "lambda" && s.inputs.endpoint === fn.outputs.arn,
  );
  if (!subscribed) v.push("alarm notifier: not subscribed to the alarm topic; no alarm would be e-mailed");
  const allowed = ofType(resources, TYPES.lambdaPermission).some(
    (p) =>
      p.inputs.function === fn.outputs.name &&
      p.inputs.principal === "sns.amazonaws.com" &&
      p.inputs.action === "lambda:InvokeFunction" &&
      p.inputs.sourceArn === topicArn,
  );
  if (!allowed)
    v.push("alarm notifier: SNS may not invoke it for the alarm topic (lambda:InvokeFunction, sourceArn)");
  return [...v, ...checkNotifierPolicy(resources, env, emailTopicArn)];
}

function checkNotifierPolicy(resources: RecordedResource[], env: EnvironmentName, emailTopicArn: string) {
  const policy = ofType(resources, TYPES.rolePolicy).find((p) => p.name === `platform-${env}-notifier`);
  if (!policy) return [`alarm notifier: no role policy platform-${env}-notifier`];
  const inEnvironment = (arn: string) =>
    arn === emailTopicArn ||
    new RegExp(`:log-group:(/platform/${env}/[^:/]+|/aws/lambda/platform-alarm-notifier-${env})(:|$)`).test(
      arn,
    );
  return list(obj(parseJson(policy.inputs.policy)).Statement)
    .map(obj)
    .flatMap((s) => list(s.Resource).map(String))
    .filter((arn) => !inEnvironment(arn))
    .map((arn) => `alarm notifier: its policy grants ${arn}, outside the ${env} environment`);
}
