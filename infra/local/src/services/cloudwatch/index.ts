// CloudWatch metrics and alarms for the local region: the pure rules that the wire operations
// (model.ts, responses.ts) and the alarm evaluator (src/runtime/cloudwatch/) stand on.
export {
  type AlarmConfig,
  alarmConfig,
  datapointsToAlarm,
  type ThresholdOperator,
  type TreatMissingData,
} from "./alarm-config.js";
export {
  type AlarmEvaluation,
  breaches,
  EXTRA_PERIODS,
  evaluateAlarm,
  evaluationRange,
} from "./alarm-evaluation.js";
export { INITIAL_REASON, javaDouble } from "./alarm-reason.js";
export {
  type AlarmRecord,
  actionsFor,
  changeState,
  type NewState,
  putMetricAlarm,
  setActionsEnabled,
  setAlarmState,
  type Transition,
  toMetricAlarm,
} from "./alarm-record.js";
export { type MetricId, metricId, metricKey } from "./metric-identity.js";
export {
  checkPeriod,
  LISTED_FOR_MS,
  MAX_DATAPOINTS,
  MAX_METRICS,
  MAX_STORED_ENTRIES,
  MetricStore,
  type MetricView,
  MINUTE_RETENTION_MS,
  SECOND_RETENTION_MS,
  type StoreLimits,
  type Window,
} from "./metric-store.js";
export { type Decision, decideState, type Point } from "./missing-data.js";
export { Aggregate, MAX_VALUES_PER_BUCKET, parseStatistic, type StatisticName } from "./statistics.js";
