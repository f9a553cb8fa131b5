import type { PutMetricAlarmInput } from "@aws-sdk/client-cloudwatch";
import type { Direction } from "./capacity.js";

// The two CloudWatch alarms a target tracking policy owns, as Application Auto Scaling creates
// them: AlarmHigh above the target for 3 one-minute datapoints, AlarmLow under 90 % of it for 15,
// both with the policy as their action. A region may shorten the periods (tests), as ECS's bake
// times are capped.

export interface TrackedMetric {
  namespace: string;
  metricName: string;
  dimensions: { Name: string; Value: string }[];
  statistic: "Average" | "Minimum" | "Maximum" | "SampleCount" | "Sum";
  unit?: string;
}

export interface AlarmSettings {
  /** 60 on AWS; 10 or 30 in a region that shortens them. */
  periodSeconds: number;
  highEvaluationPeriods: number;
  lowEvaluationPeriods: number;
}

export const AWS_ALARM_SETTINGS: AlarmSettings = {
  periodSeconds: 60,
  highEvaluationPeriods: 3,
  lowEvaluationPeriods: 15,
};

/** AlarmLow's threshold as a share of the target: scale-in starts only well under it. */
const LOW_THRESHOLD_RATIO = 0.9;

export interface PolicyAlarm {
  name: string;
  direction: Direction;
  input: PutMetricAlarmInput;
}

export function policyAlarms(
  policy: { arn: string; resourceId: string; targetValue: number; disableScaleIn: boolean },
  metric: TrackedMetric,
  settings: AlarmSettings,
  id: string,
): PolicyAlarm[] {
  const alarm = (direction: Direction): PolicyAlarm => {
    const high = direction === "out";
    const name = `TargetTracking-${policy.resourceId}-Alarm${high ? "High" : "Low"}-${id}`;
    const periods = high ? settings.highEvaluationPeriods : settings.lowEvaluationPeriods;
    return {
      name,
      direction,
      input: {
        AlarmName: name,
        AlarmDescription: `DO NOT EDIT OR DELETE. For TargetTrackingScaling policy ${policy.arn}.`,
        ActionsEnabled: true,
        AlarmActions: [policy.arn],
        Namespace: metric.namespace,
        MetricName: metric.metricName,
        Dimensions: metric.dimensions,
        Statistic: metric.statistic,
        ...(metric.unit ? { Unit: metric.unit as PutMetricAlarmInput["Unit"] } : {}),
        Period: settings.periodSeconds,
        EvaluationPeriods: periods,
        DatapointsToAlarm: periods,
        Threshold: high ? policy.targetValue : policy.targetValue * LOW_THRESHOLD_RATIO,
        ComparisonOperator: high ? "GreaterThanThreshold" : "LessThanThreshold",
      },
    };
  };
  return policy.disableScaleIn ? [alarm("out")] : [alarm("out"), alarm("in")];
}
