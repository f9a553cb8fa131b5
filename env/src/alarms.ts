import { type DeploymentSpec, shiftsTraffic } from "./deployment.js";
import { alternateTargetGroupName, defaultEnvironment, logGroupName, serviceName } from "./names.js";
import {
  type AlarmThresholds,
  APP_NAMES,
  type AppName,
  type EnvironmentName,
  type PlatformSpec,
} from "./schema.js";

// Every alarm of an environment, its metric filters and its topics, from the spec alone. The Pulumi
// program and npm start's bootstrap both build from these, so AWS and the local region watch the same
// things under the same names. Dimensions that exist only once the resources do (ARN suffixes, the
// cluster) come from the caller, as whatever value type it works in (pulumi.Input<string>, string).

/** SNS topics of an environment: alarms publish to `alarms`; people subscribe to `emails`. */
export function alarmTopicNames(env: EnvironmentName): { alarms: string; emails: string } {
  return { alarms: `platform-alarms-${env}`, emails: `platform-alarm-emails-${env}` };
}

/**
 * Patterns on the services' JSON log lines (one object a line: level, message, event, status,
 * durationMs, path, ...). Job failures are counted from the worker's `event: "JobFailed"` line alone:
 * the store's `action: "JobFailed"` goes to the jobs' event table, never to the log.
 */
export const LOG_PATTERNS = {
  errorLines: '{ $.level = "error" }',
  jobFailed: '{ $.event = "JobFailed" }',
  pipelineFailed: '{ $.event = "PipelineFailed" }',
  serverErrors: "{ $.status >= 500 }",
  trouble: '{ ($.level = "error") || ($.level = "warn") }',
} as const;

export const LOG_METRICS = {
  errorLines: "ErrorLogLines",
  jobFailures: "JobFailures",
  pipelineFailures: "PipelineFailures",
} as const;

/** Namespace of the metrics our log metric filters produce, per service: `Platform/Logs/api-qa`. */
export function logMetricNamespace(app: AppName, env: EnvironmentName): string {
  return `Platform/Logs/${serviceName(app, env)}`;
}

export interface MetricFilterDefinition {
  filterName: string;
  logGroupName: string;
  filterPattern: string;
  metricName: string;
  metricNamespace: string;
  /** Each matching line counts 1; a minute without one publishes 0, so the alarm sees quiet as OK. */
  metricValue: "1";
  defaultValue: 0;
}

/** Where the log lines behind an alarm are: the group and a pattern FilterLogEvents takes. */
export interface LogLines {
  logGroupName: string;
  filterPattern: string;
}

export interface AlarmDefinition<V = string> {
  alarmName: string;
  alarmDescription: string;
  namespace: string;
  metricName: string;
  dimensions: Record<string, V>;
  statistic?: "Sum" | "Average" | "Maximum";
  extendedStatistic?: string;
  period: number;
  evaluationPeriods: number;
  datapointsToAlarm: number;
  threshold: number;
  comparisonOperator: "GreaterThanOrEqualToThreshold";
  treatMissingData: "notBreaching";
  /**
   * The lines the notifier quotes in its e-mail. Absent for an alarm on a log metric filter: the
   * notifier asks DescribeMetricFilters for that filter's group and pattern.
   */
  logLines?: LogLines;
}

/** The dimension values only known once the load balancer, target groups, cluster and services exist. */
export interface AlarmDimensionValues<V> {
  loadBalancer: V;
  clusterName: V;
  targetGroups: Record<AppName, V>;
  /**
   * The second (green) group of each service that shifts traffic: ECS starts each new version in
   * whichever group is idle, so each group has its own target alarms.
   */
  alternateTargetGroups?: Partial<Record<AppName, V>>;
  serviceNames: Record<AppName, V>;
}

/** The log metric filters of an environment: error lines of both services, failed jobs, failed pipelines. */
export function metricFilters(env: EnvironmentName): MetricFilterDefinition[] {
  return APP_NAMES.flatMap((app) => logMetricsOf(app).map((m) => metricFilter(app, env, m)));
}

interface LogMetric {
  suffix: string;
  pattern: string;
  metricName: string;
}

function logMetricsOf(app: AppName): LogMetric[] {
  const errors = { suffix: "errors", pattern: LOG_PATTERNS.errorLines, metricName: LOG_METRICS.errorLines };
  if (app === "api") {
    return [
      errors,
      { suffix: "job-failures", pattern: LOG_PATTERNS.jobFailed, metricName: LOG_METRICS.jobFailures },
    ];
  }
  return [
    errors,
    {
      suffix: "pipeline-failures",
      pattern: LOG_PATTERNS.pipelineFailed,
      metricName: LOG_METRICS.pipelineFailures,
    },
  ];
}

function metricFilter(app: AppName, env: EnvironmentName, m: LogMetric): MetricFilterDefinition {
  return {
    filterName: `${serviceName(app, env)}-${m.suffix}`,
    logGroupName: logGroupName(app, env),
    filterPattern: m.pattern,
    metricName: m.metricName,
    metricNamespace: logMetricNamespace(app, env),
    metricValue: "1",
    defaultValue: 0,
  };
}

/** Every alarm of an environment, in a stable order; `alb-5xx-<env>` only for the default environment. */
export function alarmDefinitions<V>(
  spec: PlatformSpec,
  env: EnvironmentName,
  values: AlarmDimensionValues<V>,
): AlarmDefinition<V>[] {
  const loadBalancer = env === defaultEnvironment(spec) ? [loadBalancerAlarm(spec, env, values)] : [];
  return [...loadBalancer, ...APP_NAMES.flatMap((app) => serviceAlarms(spec, env, app, values))];
}

/**
 * The alarms that stop a deploy of the service and roll it back (ECS deploymentConfiguration.alarms).
 * A traffic-shifting service's new version answers from either of its two groups, so both groups'
 * 5xx alarms guard it.
 */
export function deploymentAlarmNames(
  app: AppName,
  env: EnvironmentName,
  deployment: DeploymentSpec,
): string[] {
  const key = serviceName(app, env);
  const green = shiftsTraffic(deployment) ? [`${alternateTargetGroupName(app, env)}-5xx`] : [];
  return [`${key}-5xx`, ...green, `${key}-error-logs`];
}

/** Alarm name → the log lines to quote, for every alarm that isn't on a log metric filter. */
export function notifierLogLines<V>(alarms: AlarmDefinition<V>[]): Record<string, LogLines> {
  return Object.fromEntries(alarms.flatMap((a) => (a.logLines ? [[a.alarmName, a.logLines] as const] : [])));
}

type Shape<V> = Omit<AlarmDefinition<V>, "comparisonOperator" | "treatMissingData" | "datapointsToAlarm">;

/** Every alarm fires at or above its threshold, on every breaching period, and a quiet metric is OK. */
function alarm<V>(shape: Shape<V>): AlarmDefinition<V> {
  return {
    ...shape,
    datapointsToAlarm: shape.evaluationPeriods,
    comparisonOperator: "GreaterThanOrEqualToThreshold",
    treatMissingData: "notBreaching",
  };
}

function loadBalancerAlarm<V>(
  spec: PlatformSpec,
  env: EnvironmentName,
  values: AlarmDimensionValues<V>,
): AlarmDefinition<V> {
  const t = spec.environments[env].alarms;
  return alarm({
    alarmName: `alb-5xx-${env}`,
    alarmDescription: `the ALB itself answers 5xx (no healthy target, bad gateway): ${t.http5xxPerMinute}/min`,
    namespace: "AWS/ApplicationELB",
    metricName: "HTTPCode_ELB_5XX_Count",
    dimensions: { LoadBalancer: values.loadBalancer },
    statistic: "Sum",
    period: 60,
    evaluationPeriods: 1,
    threshold: t.http5xxPerMinute,
    // The ALB answered because no target did: the API's own errors are the nearest evidence.
    logLines: { logGroupName: logGroupName("api", env), filterPattern: LOG_PATTERNS.errorLines },
  });
}

/** One service of one environment: what its alarms are named after and read their numbers from. */
interface ServiceScope<V> {
  app: AppName;
  env: EnvironmentName;
  key: string;
  group: string;
  t: AlarmThresholds;
  healthPath: string;
  values: AlarmDimensionValues<V>;
}

function serviceAlarms<V>(
  spec: PlatformSpec,
  env: EnvironmentName,
  app: AppName,
  values: AlarmDimensionValues<V>,
): AlarmDefinition<V>[] {
  const scope: ServiceScope<V> = {
    app,
    env,
    key: serviceName(app, env),
    group: logGroupName(app, env),
    t: spec.environments[env].alarms,
    healthPath: spec.environments[env].services[app].healthCheck.path,
    values,
  };
  return [
    ...targetGroupAlarms(scope),
    ...ecsAlarms(scope),
    ...logAlarms(scope, logMetricNamespace(app, env)),
  ];
}

/** The target alarms of the service's group, and of its green group when it has one (`api-qa-green-5xx`). */
function targetGroupAlarms<V>(scope: ServiceScope<V>): AlarmDefinition<V>[] {
  const { app, values } = scope;
  const green = values.alternateTargetGroups?.[app];
  return [
    ...groupAlarms(scope, scope.key, values.targetGroups[app]),
    ...(green === undefined ? [] : groupAlarms(scope, alternateTargetGroupName(app, scope.env), green)),
  ];
}

function groupAlarms<V>(
  { group, t, healthPath, values }: ServiceScope<V>,
  key: string,
  targetGroup: V,
): AlarmDefinition<V>[] {
  const dimensions = { LoadBalancer: values.loadBalancer, TargetGroup: targetGroup };
  return [
    alarm({
      alarmName: `${key}-5xx`,
      alarmDescription: `${key} answers 5xx: ${t.http5xxPerMinute}/min`,
      namespace: "AWS/ApplicationELB",
      metricName: "HTTPCode_Target_5XX_Count",
      dimensions,
      statistic: "Sum",
      period: 60,
      evaluationPeriods: 1,
      threshold: t.http5xxPerMinute,
      logLines: { logGroupName: group, filterPattern: LOG_PATTERNS.serverErrors },
    }),
    alarm({
      alarmName: `${key}-latency-p95`,
      alarmDescription: `${key} p95 response time ≥ ${t.targetResponseTimeSeconds}s for 3 minutes`,
      namespace: "AWS/ApplicationELB",
      metricName: "TargetResponseTime",
      dimensions,
      extendedStatistic: "p95",
      period: 60,
      evaluationPeriods: 3,
      threshold: t.targetResponseTimeSeconds,
      logLines: {
        logGroupName: group,
        filterPattern: `{ ($.message = "request") && ($.durationMs >= ${t.targetResponseTimeSeconds * 1000}) }`,
      },
    }),
    alarm({
      alarmName: `${key}-unhealthy-hosts`,
      alarmDescription: `${key} has ≥ ${t.unhealthyHosts} unhealthy target(s) for 2 minutes`,
      namespace: "AWS/ApplicationELB",
      metricName: "UnHealthyHostCount",
      dimensions,
      statistic: "Maximum",
      period: 60,
      evaluationPeriods: 2,
      threshold: t.unhealthyHosts,
      logLines: {
        logGroupName: group,
        filterPattern: `{ (($.path = "${healthPath}") && ($.status != 200)) || ($.level = "error") }`,
      },
    }),
  ];
}

function ecsAlarms<V>({ app, key, group, t, values }: ServiceScope<V>): AlarmDefinition<V>[] {
  const dimensions = { ClusterName: values.clusterName, ServiceName: values.serviceNames[app] };
  const logLines = { logGroupName: group, filterPattern: LOG_PATTERNS.trouble };
  const utilization = (metric: "CPU" | "Memory", threshold: number, what: string) =>
    alarm({
      alarmName: `${key}-${metric.toLowerCase()}`,
      alarmDescription: `${key} ${what} ≥ ${threshold}%${metric === "Memory" ? " of its hard limit" : ""} for 5 minutes`,
      namespace: "AWS/ECS",
      metricName: `${metric}Utilization`,
      dimensions,
      statistic: "Average",
      period: 60,
      evaluationPeriods: 5,
      threshold,
      logLines,
    });
  return [utilization("CPU", t.cpuPercent, "CPU"), utilization("Memory", t.memoryPercent, "memory")];
}

function logAlarms<V>({ app, key, t }: ServiceScope<V>, namespace: string): AlarmDefinition<V>[] {
  const onLogMetric = (shape: Omit<Shape<V>, "namespace" | "dimensions" | "statistic">) =>
    alarm<V>({ ...shape, namespace, dimensions: {}, statistic: "Sum" });
  const errors = onLogMetric({
    alarmName: `${key}-error-logs`,
    alarmDescription: `${key} logs ≥ ${t.errorLogLinesPerMinute} error lines a minute`,
    metricName: LOG_METRICS.errorLines,
    period: 60,
    evaluationPeriods: 1,
    threshold: t.errorLogLinesPerMinute,
  });
  if (app === "api") {
    return [
      errors,
      onLogMetric({
        alarmName: `${key}-job-failures`,
        alarmDescription: `${key}: ≥ ${t.jobFailuresPerFiveMinutes} transcoding jobs failed in 5 minutes`,
        metricName: LOG_METRICS.jobFailures,
        period: 300,
        evaluationPeriods: 1,
        threshold: t.jobFailuresPerFiveMinutes,
      }),
    ];
  }
  return [
    errors,
    onLogMetric({
      alarmName: `${key}-pipeline-failures`,
      alarmDescription: `${key}: ≥ ${t.pipelineFailuresPerFiveMinutes} media pipelines failed to start in 5 minutes`,
      metricName: LOG_METRICS.pipelineFailures,
      period: 300,
      evaluationPeriods: 1,
      threshold: t.pipelineFailuresPerFiveMinutes,
    }),
  ];
}
