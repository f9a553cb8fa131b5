import { APP_NAMES, type AppName, type EnvironmentName, type EnvironmentSpec } from "@platform/env";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ERROR_LOG_LINES_METRIC, JOB_FAILURES_METRIC, logMetricNamespace, serviceName } from "./naming.js";

/** Log lines the services write as JSON (winston): errors, and the API's failed jobs. */
export const ERROR_LINE_PATTERN = '{ $.level = "error" }';
export const JOB_FAILED_PATTERN = '{ ($.action = "JobFailed") || ($.event = "JobFailed") }';

export interface AlarmTargets {
  targetGroupArnSuffix: pulumi.Input<string>;
  logGroupName: pulumi.Input<string>;
  serviceName: pulumi.Input<string>;
}

export interface AlarmsArgs {
  env: EnvironmentName;
  thresholds: EnvironmentSpec["alarms"];
  recipients: string[];
  clusterName: pulumi.Input<string>;
  loadBalancerArnSuffix: pulumi.Input<string>;
  /** Whether this environment also watches the ALB's own 5xx (it receives every unnamed host). */
  watchLoadBalancer: boolean;
  services: Record<AppName, AlarmTargets>;
}

interface AlarmSpec {
  description: string;
  namespace: string;
  metricName: string;
  dimensions: Record<string, pulumi.Input<string>>;
  statistic?: string;
  extendedStatistic?: string;
  period: number;
  evaluationPeriods: number;
  threshold: number;
}

/**
 * The environment's alarms, all from the spec: an SNS topic that e-mails the recipients, metric filters
 * on the services' JSON logs, and alarms on the ALB, the target groups, ECS and the logs.
 */
export class Alarms extends pulumi.ComponentResource {
  readonly topicArn: pulumi.Output<string>;

  constructor(name: string, args: AlarmsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:aws:Alarms", name, {}, opts);
    const topic = new aws.sns.Topic(name, { name: `platform-alarms-${args.env}` }, { parent: this });
    args.recipients.forEach((endpoint, i) => {
      new aws.sns.TopicSubscription(
        `${name}-email-${i}`,
        { topic: topic.arn, protocol: "email", endpoint },
        { parent: this },
      );
    });
    const alarm = (key: string, spec: AlarmSpec) =>
      new aws.cloudwatch.MetricAlarm(
        `${name}-${key}`,
        {
          name: key,
          alarmDescription: spec.description,
          namespace: spec.namespace,
          metricName: spec.metricName,
          dimensions: spec.dimensions,
          statistic: spec.statistic,
          extendedStatistic: spec.extendedStatistic,
          period: spec.period,
          evaluationPeriods: spec.evaluationPeriods,
          threshold: spec.threshold,
          comparisonOperator: "GreaterThanOrEqualToThreshold",
          treatMissingData: "notBreaching",
          alarmActions: [topic.arn],
          okActions: [topic.arn],
        },
        { parent: this },
      );

    const t = args.thresholds;
    if (args.watchLoadBalancer) {
      alarm(`alb-5xx-${args.env}`, {
        description: `the ALB itself answers 5xx (no healthy target, bad gateway): ${t.http5xxPerMinute}/min`,
        namespace: "AWS/ApplicationELB",
        metricName: "HTTPCode_ELB_5XX_Count",
        dimensions: { LoadBalancer: args.loadBalancerArnSuffix },
        statistic: "Sum",
        period: 60,
        evaluationPeriods: 1,
        threshold: t.http5xxPerMinute,
      });
    }
    for (const app of APP_NAMES) {
      const svc = args.services[app];
      const key = serviceName(app, args.env);
      const targetGroup = { LoadBalancer: args.loadBalancerArnSuffix, TargetGroup: svc.targetGroupArnSuffix };
      const ecs = { ClusterName: args.clusterName, ServiceName: svc.serviceName };
      alarm(`${key}-5xx`, {
        description: `${key} answers 5xx: ${t.http5xxPerMinute}/min`,
        namespace: "AWS/ApplicationELB",
        metricName: "HTTPCode_Target_5XX_Count",
        dimensions: targetGroup,
        statistic: "Sum",
        period: 60,
        evaluationPeriods: 1,
        threshold: t.http5xxPerMinute,
      });
      alarm(`${key}-latency-p95`, {
        description: `${key} p95 response time ≥ ${t.targetResponseTimeSeconds}s for 3 minutes`,
        namespace: "AWS/ApplicationELB",
        metricName: "TargetResponseTime",
        dimensions: targetGroup,
        extendedStatistic: "p95",
        period: 60,
        evaluationPeriods: 3,
        threshold: t.targetResponseTimeSeconds,
      });
      alarm(`${key}-unhealthy-hosts`, {
        description: `${key} has ≥ ${t.unhealthyHosts} unhealthy target(s) for 2 minutes`,
        namespace: "AWS/ApplicationELB",
        metricName: "UnHealthyHostCount",
        dimensions: targetGroup,
        statistic: "Maximum",
        period: 60,
        evaluationPeriods: 2,
        threshold: t.unhealthyHosts,
      });
      alarm(`${key}-cpu`, {
        description: `${key} CPU ≥ ${t.cpuPercent}% for 5 minutes`,
        namespace: "AWS/ECS",
        metricName: "CPUUtilization",
        dimensions: ecs,
        statistic: "Average",
        period: 60,
        evaluationPeriods: 5,
        threshold: t.cpuPercent,
      });
      alarm(`${key}-memory`, {
        description: `${key} memory ≥ ${t.memoryPercent}% of its hard limit for 5 minutes`,
        namespace: "AWS/ECS",
        metricName: "MemoryUtilization",
        dimensions: ecs,
        statistic: "Average",
        period: 60,
        evaluationPeriods: 5,
        threshold: t.memoryPercent,
      });
      this.logMetric(
        `${name}-${key}-errors`,
        svc.logGroupName,
        ERROR_LINE_PATTERN,
        app,
        args.env,
        ERROR_LOG_LINES_METRIC,
      );
      alarm(`${key}-error-logs`, {
        description: `${key} logs ≥ ${t.errorLogLinesPerMinute} error lines a minute`,
        namespace: logMetricNamespace(app, args.env),
        metricName: ERROR_LOG_LINES_METRIC,
        dimensions: {},
        statistic: "Sum",
        period: 60,
        evaluationPeriods: 1,
        threshold: t.errorLogLinesPerMinute,
      });
      if (app === "api") {
        this.logMetric(
          `${name}-${key}-job-failures`,
          svc.logGroupName,
          JOB_FAILED_PATTERN,
          app,
          args.env,
          JOB_FAILURES_METRIC,
        );
        alarm(`${key}-job-failures`, {
          description: `${key}: ≥ ${t.jobFailuresPerFiveMinutes} transcoding jobs failed in 5 minutes`,
          namespace: logMetricNamespace(app, args.env),
          metricName: JOB_FAILURES_METRIC,
          dimensions: {},
          statistic: "Sum",
          period: 300,
          evaluationPeriods: 1,
          threshold: t.jobFailuresPerFiveMinutes,
        });
      }
    }
    this.topicArn = topic.arn;
    this.registerOutputs({ topicArn: this.topicArn });
  }

  private logMetric(
    name: string,
    logGroupName: pulumi.Input<string>,
    pattern: string,
    app: AppName,
    env: EnvironmentName,
    metricName: string,
  ): void {
    new aws.cloudwatch.LogMetricFilter(
      name,
      {
        logGroupName,
        pattern,
        metricTransformation: {
          name: metricName,
          namespace: logMetricNamespace(app, env),
          value: "1",
          defaultValue: "0",
        },
      },
      { parent: this },
    );
  }
}
