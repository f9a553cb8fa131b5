import { APP_NAMES, defaultEnvironment, type EnvironmentName, type PlatformSpec } from "@platform/env";
import type { InvariantContext, Violation } from "./context.js";
import { list, ofType, type RecordedResource, TYPES } from "./resources.js";

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
  }
  return expected;
}

/** An SNS topic that e-mails every recipient, and every alarm wired to it with the spec's threshold. */
export function checkAlarms(
  resources: RecordedResource[],
  ctx: InvariantContext,
  env: EnvironmentName,
): Violation[] {
  const topics = ofType(resources, TYPES.topic);
  if (topics.length !== 1) return [`alarms: expected one SNS topic, found ${topics.length}`];
  const topicArn = String(topics[0]?.outputs.arn);
  const v: Violation[] = [];
  const subscriptions = ofType(resources, TYPES.subscription).filter((s) => s.inputs.topic === topicArn);
  for (const recipient of ctx.spec.alarms.recipients) {
    if (!subscriptions.some((s) => s.inputs.protocol === "email" && s.inputs.endpoint === recipient)) {
      v.push(`alarms: no e-mail subscription for ${recipient}`);
    }
  }
  const alarms = ofType(resources, TYPES.metricAlarm);
  for (const alarm of alarms) {
    const name = String(alarm.inputs.name ?? alarm.name);
    for (const field of ["alarmActions", "okActions"]) {
      if (!list(alarm.inputs[field]).includes(topicArn)) {
        v.push(`alarm ${name}: ${field} doesn't notify the SNS topic; nobody would hear of it`);
      }
    }
  }
  for (const [name, threshold] of expectedAlarms(ctx.spec, env)) {
    const alarm = alarms.find((a) => a.inputs.name === name);
    if (!alarm) v.push(`alarm ${name}: missing`);
    else if (alarm.inputs.threshold !== threshold) {
      v.push(`alarm ${name}: threshold ${String(alarm.inputs.threshold)}; the spec says ${threshold}`);
    }
  }
  return v;
}
