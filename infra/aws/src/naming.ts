import { logGroupName, serviceName } from "@platform/env";

// Physical names the other parts rely on (the deploy CLI, the API's metrics, the alarms).

export { logGroupName, serviceName };

/** The namespace and metric the API publishes for its queue (issue 5, "Demand"). */
export const BACKLOG_METRIC = {
  namespace: "Platform/Transcoding",
  metricName: "BacklogPerTask",
  dimension: "Environment",
} as const;

/** Stacks of this project: one shared stack, then one per environment. */
export const SHARED_STACK = "shared";
