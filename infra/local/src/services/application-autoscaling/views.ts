import type { ActivityRecord, PolicyRecord, ScalableTargetRecord } from "./model.js";

// Records → Application Auto Scaling's response shapes (awsJson: timestamps in epoch seconds).

const seconds = (ms: number) => ms / 1000;

export function scalableTargetView(t: ScalableTargetRecord) {
  return {
    ServiceNamespace: t.serviceNamespace,
    ResourceId: t.resourceId,
    ScalableDimension: t.scalableDimension,
    MinCapacity: t.minCapacity,
    MaxCapacity: t.maxCapacity,
    RoleARN: t.roleArn,
    CreationTime: seconds(t.creationTime),
    SuspendedState: {
      DynamicScalingInSuspended: false,
      DynamicScalingOutSuspended: false,
      ScheduledScalingSuspended: false,
    },
    ScalableTargetARN: t.arn,
  };
}

export function alarmsView(p: PolicyRecord) {
  return p.alarms.map((a) => ({ AlarmName: a.name, AlarmARN: a.arn }));
}

export function policyView(p: PolicyRecord) {
  const c = p.config;
  return {
    PolicyARN: p.arn,
    PolicyName: p.name,
    ServiceNamespace: p.serviceNamespace,
    ResourceId: p.resourceId,
    ScalableDimension: p.scalableDimension,
    PolicyType: "TargetTrackingScaling",
    TargetTrackingScalingPolicyConfiguration: {
      TargetValue: c.targetValue,
      ...(c.predefined
        ? {
            PredefinedMetricSpecification: {
              PredefinedMetricType: c.predefined.predefinedMetricType,
              ...(c.predefined.resourceLabel ? { ResourceLabel: c.predefined.resourceLabel } : {}),
            },
          }
        : {}),
      ...(c.customized
        ? {
            CustomizedMetricSpecification: {
              MetricName: c.customized.metricName,
              Namespace: c.customized.namespace,
              Dimensions: c.customized.dimensions,
              Statistic: c.customized.statistic,
              ...(c.customized.unit ? { Unit: c.customized.unit } : {}),
            },
          }
        : {}),
      ScaleOutCooldown: c.scaleOutCooldown,
      ScaleInCooldown: c.scaleInCooldown,
      DisableScaleIn: c.disableScaleIn,
    },
    Alarms: alarmsView(p),
    CreationTime: seconds(p.creationTime),
  };
}

export function activityView(a: ActivityRecord) {
  return {
    ActivityId: a.activityId,
    ServiceNamespace: a.serviceNamespace,
    ResourceId: a.resourceId,
    ScalableDimension: a.scalableDimension,
    Description: a.description,
    Cause: a.cause,
    StartTime: seconds(a.startTime),
    EndTime: seconds(a.endTime),
    StatusCode: a.statusCode,
    StatusMessage: a.statusMessage,
  };
}
