import type { AlarmNotification } from "../src/message.js";

// Alarm notifications as CloudWatch sends them (the shape of AWS's own example payloads, with our
// alarm names): the Message string SNS carries, parsed.

export const ERROR_LOGS_ALARM = {
  AlarmName: "api-qa-error-logs",
  AlarmDescription: "api-qa logs ≥ 20 error lines a minute",
  AWSAccountId: "123456789012",
  AlarmConfigurationUpdatedTimestamp: "2026-12-01T09:00:00.000+0000",
  NewStateValue: "ALARM",
  NewStateReason:
    "Threshold Crossed: 1 out of the last 1 datapoints [25.0 (02/12/26 04:19:00)] was greater than or equal to the threshold (20.0) (minimum 1 datapoint for OK -> ALARM transition).",
  StateChangeTime: "2026-12-02T04:20:05.123+0000",
  Region: "EU (Ireland)",
  AlarmArn: "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:api-qa-error-logs",
  OldStateValue: "OK",
  OKActions: ["arn:aws:sns:eu-west-1:123456789012:platform-alarms-qa"],
  AlarmActions: ["arn:aws:sns:eu-west-1:123456789012:platform-alarms-qa"],
  InsufficientDataActions: [],
  Trigger: {
    MetricName: "ErrorLogLines",
    Namespace: "Platform/Logs/api-qa",
    StatisticType: "Statistic",
    Statistic: "SUM",
    Unit: null,
    Dimensions: [],
    Period: 60,
    EvaluationPeriods: 1,
    DatapointsToAlarm: 1,
    ComparisonOperator: "GreaterThanOrEqualToThreshold",
    Threshold: 20.0,
    TreatMissingData: "notBreaching",
    EvaluateLowSampleCountPercentile: "",
  },
} satisfies AlarmNotification & Record<string, unknown>;

export const LATENCY_OK = {
  ...ERROR_LOGS_ALARM,
  AlarmName: "api-prod-latency-p95",
  AlarmDescription: "api-prod p95 response time ≥ 1s for 3 minutes",
  NewStateValue: "OK",
  OldStateValue: "ALARM",
  NewStateReason:
    "Threshold Crossed: 3 out of the last 3 datapoints [0.21 (02/12/26 04:29:00), 0.25 (02/12/26 04:28:00), 0.3 (02/12/26 04:27:00)] were not greater than or equal to the threshold (1.0) (minimum 3 datapoints for ALARM -> OK transition).",
  StateChangeTime: "2026-12-02T04:30:00.000+0000",
  AlarmArn: "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:api-prod-latency-p95",
  Trigger: {
    ...ERROR_LOGS_ALARM.Trigger,
    MetricName: "TargetResponseTime",
    Namespace: "AWS/ApplicationELB",
    StatisticType: "ExtendedStatistic",
    Statistic: undefined,
    ExtendedStatistic: "p95",
    Dimensions: [
      { value: "app/platform/0123456789abcdef", name: "LoadBalancer" },
      { value: "targetgroup/api-prod/0123456789abcdef", name: "TargetGroup" },
    ],
    EvaluationPeriods: 3,
    DatapointsToAlarm: 3,
    Threshold: 1.0,
  },
} satisfies AlarmNotification & Record<string, unknown>;

export const ERROR_LINES = [
  {
    timestamp: Date.parse("2026-12-02T04:19:01.000Z"),
    message: '{"level":"error","message":"db down","requestId":"r1"}',
  },
  {
    timestamp: Date.parse("2026-12-02T04:19:30.500Z"),
    message: '{"level":"error","message":"db\\ndown again"}\n',
  },
];
