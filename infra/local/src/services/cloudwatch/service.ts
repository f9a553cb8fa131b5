import type { Durable, JsonServiceDefinition, MetricSink } from "../../contracts.js";
import type { DurableStates, LocalService } from "../local-service.js";
import { emptyMetricLog, type MetricLogState } from "./metric-log.js";
import { LocalMetricSink } from "./metric-sink.js";
import { CloudWatchModel, type CloudWatchState, emptyCloudWatchState } from "./model.js";
import { cloudWatchOperations } from "./responses.js";
import { AlarmTransitions } from "./transitions.js";

/**
 * CloudWatch metrics and alarms on their durable state, over awsJson1_0
 * (`GraniteServiceVersion20100801`, what SDK v3 sends) and awsQuery (`2010-08-01`, what the AWS
 * CLI 2.9 and boto3 1.26 send).
 */
export function createCloudWatchService(
  states: DurableStates,
  now: () => number = Date.now,
  // Metric data in a file of its own, so that an alarm change does not rewrite it: in the region,
  // the append-only MetricLogFile.
  metricLog: Durable<MetricLogState> = states("cloudwatch-metrics", emptyMetricLog),
): LocalService<CloudWatchModel, CloudWatchState, JsonServiceDefinition> & {
  metricSink: MetricSink;
  /** Committed changes of state, from SetAlarmState here and from the evaluator (runtime/cloudwatch). */
  transitions: AlarmTransitions;
} {
  const durable = states("cloudwatch", emptyCloudWatchState);
  const model = new CloudWatchModel(durable.state, metricLog.state, now);
  const transitions = new AlarmTransitions();
  return {
    model,
    durable,
    transitions,
    metricSink: new LocalMetricSink(model, metricLog),
    definition: {
      protocol: "awsJson1_0",
      signingName: "monitoring",
      targetPrefix: "GraniteServiceVersion20100801",
      queryCompatible: {
        version: "2010-08-01",
        xmlNamespace: "http://monitoring.amazonaws.com/doc/2010-08-01/",
      },
      operations: cloudWatchOperations(model, durable, metricLog, transitions),
    },
  };
}
