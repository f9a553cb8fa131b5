// @platform/telemetry: the apps' logging and metrics convention (issue 10, contract 1).

export { accessLog, type RequestHandler } from "./access-log.js";
export { cloudWatchClient, cloudWatchLogsClient } from "./aws-clients.js";
export { type CloudWatchLogsOptions, CloudWatchLogsTransport } from "./cloudwatch-logs-transport.js";
export { addLogContext, currentLogContext, type LogContext, withLogContext } from "./context.js";
export { FailureStreak } from "./failure-streak.js";
export {
  type AccessEntry,
  accessLine,
  type LogIdentity,
  lineOf,
  type ServiceName,
  taskIdOf,
} from "./line.js";
export { dropMessage, LogBuffer } from "./log-buffer.js";
export {
  createLogger,
  errorText,
  flushLogs,
  type Logger,
  type LoggerOptions,
  streamNameOf,
} from "./logger.js";
export { type MetricDatum, MetricsPublisher, metricDataInput, metricsConfigured } from "./metrics.js";
export { readTaskMetadata, stringOr, type TaskMetadataDocuments, taskArnOf } from "./task-metadata.js";
