import { describe, expect, it } from "vitest";
import {
  actionHistoryItem,
  alarmNotification,
  regionName,
} from "../src/services/cloudwatch/alarm-notification.js";
import { changeState, putMetricAlarm } from "../src/services/cloudwatch/alarm-record.js";

// What an alarm action publishes, as plain functions: AWS's subject, the Message JSON with its
// field order and number formats, and the Action history items.

const NOW = Date.UTC(2026, 11, 2, 9, 59, 30, 123);
const ARN = "arn:aws:cloudwatch:eu-west-1:000000000000:alarm:api-qa-5xx";
const TOPIC = "arn:aws:sns:eu-west-1:000000000000:platform-alarms-qa";

function inAlarm(extra: Record<string, unknown> = {}) {
  const { alarm } = putMetricAlarm(
    {
      AlarmName: "api-qa-5xx",
      AlarmDescription: "5xx answers of api-qa",
      Namespace: "AWS/ApplicationELB",
      MetricName: "HTTPCode_Target_5XX_Count",
      Dimensions: [{ Name: "LoadBalancer", Value: "app/platform/0123456789abcdef" }],
      Statistic: "Sum",
      Period: 60,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
      Threshold: 5,
      ComparisonOperator: "GreaterThanOrEqualToThreshold",
      TreatMissingData: "notBreaching",
      AlarmActions: [TOPIC],
      OKActions: [TOPIC],
      ...extra,
    },
    undefined,
    ARN,
    NOW - 60_000,
  );
  const next = { stateValue: "ALARM" as const, stateReason: "Threshold Crossed: test" };
  const changed = changeState(alarm, next, NOW);
  return { alarm: changed.alarm, transition: changed.transition! };
}

describe("alarm notification", () => {
  it("subject and region use AWS's region names", () => {
    const { alarm, transition } = inAlarm();
    expect(alarmNotification(alarm, transition).subject).toBe('ALARM: "api-qa-5xx" in EU (Ireland)');
    expect(regionName("us-east-1")).toBe("US East (N. Virginia)");
    expect(regionName("xx-test-1")).toBe("xx-test-1");
  });

  it("the Message is CloudWatch's JSON, field by field and in its order", () => {
    const { alarm, transition } = inAlarm();
    const { message } = alarmNotification(alarm, transition);
    expect(message).toContain('"Threshold":5.0,');
    const parsed = JSON.parse(message);
    expect(Object.keys(parsed)).toEqual([
      "AlarmName",
      "AlarmDescription",
      "AWSAccountId",
      "AlarmConfigurationUpdatedTimestamp",
      "NewStateValue",
      "NewStateReason",
      "StateChangeTime",
      "Region",
      "AlarmArn",
      "OldStateValue",
      "OKActions",
      "AlarmActions",
      "InsufficientDataActions",
      "Trigger",
    ]);
    expect(parsed).toMatchObject({
      AlarmName: "api-qa-5xx",
      AlarmDescription: "5xx answers of api-qa",
      AWSAccountId: "000000000000",
      AlarmConfigurationUpdatedTimestamp: "2026-12-02T09:58:30.123+0000",
      NewStateValue: "ALARM",
      NewStateReason: "Threshold Crossed: test",
      StateChangeTime: "2026-12-02T09:59:30.123+0000",
      Region: "EU (Ireland)",
      AlarmArn: ARN,
      OldStateValue: "INSUFFICIENT_DATA",
      OKActions: [TOPIC],
      AlarmActions: [TOPIC],
      InsufficientDataActions: [],
    });
    expect(parsed.Trigger).toEqual({
      MetricName: "HTTPCode_Target_5XX_Count",
      Namespace: "AWS/ApplicationELB",
      StatisticType: "Statistic",
      Statistic: "SUM",
      Unit: null,
      Dimensions: [{ value: "app/platform/0123456789abcdef", name: "LoadBalancer" }],
      Period: 60,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
      ComparisonOperator: "GreaterThanOrEqualToThreshold",
      Threshold: 5,
      TreatMissingData: "notBreaching",
      EvaluateLowSampleCountPercentile: "",
    });
  });

  it("a percentile alarm names its ExtendedStatistic; no description or DatapointsToAlarm gives null and no field", () => {
    const { alarm, transition } = inAlarm({
      Statistic: undefined,
      ExtendedStatistic: "p95",
      AlarmDescription: undefined,
      DatapointsToAlarm: undefined,
      Unit: "Seconds",
      Threshold: 1.5,
    });
    const parsed = JSON.parse(alarmNotification(alarm, transition).message);
    expect(parsed.AlarmDescription).toBeNull();
    expect(parsed.Trigger).toMatchObject({
      StatisticType: "ExtendedStatistic",
      ExtendedStatistic: "p95",
      Unit: "Seconds",
      Threshold: 1.5,
    });
    expect(parsed.Trigger).not.toHaveProperty("Statistic");
    expect(parsed.Trigger).not.toHaveProperty("DatapointsToAlarm");
  });

  it("SampleCount is spelled SAMPLE_COUNT; a long alarm name's subject is cut to SNS's 100 characters", () => {
    const { alarm, transition } = inAlarm({ Statistic: "SampleCount", AlarmName: "a".repeat(200) });
    const notification = alarmNotification(alarm, transition);
    expect(JSON.parse(notification.message).Trigger.Statistic).toBe("SAMPLE_COUNT");
    expect(notification.subject).toHaveLength(100);
  });

  it("Action history items: succeeded with the published message, failed with SNS's error", () => {
    const { alarm, transition } = inAlarm();
    const published = alarmNotification(alarm, transition);
    const ok = actionHistoryItem(alarm, TOPIC, { ok: true, published }, NOW + 5);
    expect(ok).toMatchObject({
      AlarmName: "api-qa-5xx",
      HistoryItemType: "Action",
      HistorySummary: `Successfully executed action ${TOPIC}`,
    });
    expect(JSON.parse(ok.HistoryData!)).toEqual({
      actionState: "Succeeded",
      stateUpdateTimestamp: NOW,
      notificationResource: TOPIC,
      publishedMessage: published.message,
    });
    const failed = actionHistoryItem(
      alarm,
      `${TOPIC}-gone`,
      { ok: false, error: "Topic does not exist" },
      NOW,
    );
    expect(failed.HistorySummary).toBe(
      `Failed to execute action ${TOPIC}-gone. Received error: "Topic does not exist"`,
    );
    expect(JSON.parse(failed.HistoryData!)).toMatchObject({
      actionState: "Failed",
      error: "Topic does not exist",
    });
  });
});
