import type { AppName, EnvironmentName } from "@platform/env";
import { logGroupName, serviceName } from "@platform/env";

// Physical names the other parts rely on (the deploy CLI, the API's metrics, the alarms).

export { logGroupName, serviceName };

/** The namespace and metric the API publishes for its queue (issue 5, "Demand"). */
export const BACKLOG_METRIC = {
  namespace: "Platform/Transcoding",
  metricName: "BacklogPerTask",
  dimension: "Environment",
} as const;

/** Namespace of the metrics our log metric filters produce, per service. */
export function logMetricNamespace(app: AppName, env: EnvironmentName): string {
  return `Platform/Logs/${serviceName(app, env)}`;
}

export const ERROR_LOG_LINES_METRIC = "ErrorLogLines";
export const JOB_FAILURES_METRIC = "JobFailures";

/** Stacks of this project: one shared stack, then one per environment. */
export const SHARED_STACK = "shared";
