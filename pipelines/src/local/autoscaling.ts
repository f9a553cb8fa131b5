import {
  ApplicationAutoScalingClient,
  DeleteScalingPolicyCommand,
  DescribeScalingPoliciesCommand,
  PutScalingPolicyCommand,
  RegisterScalableTargetCommand,
  type TargetTrackingScalingPolicyConfiguration,
} from "@aws-sdk/client-application-auto-scaling";
import type { AppName, EnvironmentName, PlatformSpec } from "@platform/env";
import { CLUSTER } from "./bootstrap.js";
import type { Clients } from "./clients.js";

// The services' auto scaling from the spec, as the Pulumi program declares it
// (infra/aws/src/service.ts): a scalable target on the desired count within the spec's min/max, a
// CPU target tracking policy and, for a service with a backlog target, one on the API's
// BacklogPerTask. Put again on every start (both calls replace what is there); a backlog policy the
// spec no longer asks for is deleted.

/** What the API publishes (api/src/metrics/cloudwatch.ts), named as infra/aws/src/naming.ts does. */
const BACKLOG_METRIC = {
  namespace: "Platform/Transcoding",
  metricName: "BacklogPerTask",
  dimension: "Environment",
};
/** The Pulumi program's cooldowns, unless the spec shortens them on this machine. */
function cooldowns(spec: PlatformSpec): { ScaleOutCooldown: number; ScaleInCooldown: number } {
  const local = spec.local.autoscaling;
  return local
    ? { ScaleOutCooldown: local.scaleOutCooldownSeconds, ScaleInCooldown: local.scaleInCooldownSeconds }
    : { ScaleOutCooldown: 60, ScaleInCooldown: 300 };
}

/**
 * Scaling alarms shortened under a minute (local.autoscaling) see only high-resolution data, at least
 * one datum a period: the metrics they watch go at that resolution, twice a period. Undefined: AWS's.
 */
export function scalingMetricCadence(
  spec: PlatformSpec,
): { intervalMs: number; storageResolution: 1 } | undefined {
  const period = spec.local.autoscaling?.alarmPeriodSeconds ?? 60;
  return period < 60 ? { intervalMs: (period * 1000) / 2, storageResolution: 1 } : undefined;
}

export interface ScaledService {
  app: AppName;
  env: EnvironmentName;
  name: string;
}

/** The Application Auto Scaling client on the ECS client's endpoint, region and credentials. */
function autoScalingClient(clients: Clients): ApplicationAutoScalingClient {
  const { endpoint, region, credentials } = clients.ecs.config;
  return new ApplicationAutoScalingClient({ endpoint, region, credentials, maxAttempts: 3 });
}

export async function ensureAutoscaling(
  clients: Clients,
  spec: PlatformSpec,
  s: ScaledService,
  say: (line: string) => void,
): Promise<void> {
  const { autoscaling } = spec.environments[s.env].services[s.app];
  const aas = autoScalingClient(clients);
  const target = {
    ServiceNamespace: "ecs" as const,
    ResourceId: `service/${CLUSTER}/${s.name}`,
    ScalableDimension: "ecs:service:DesiredCount" as const,
  };
  try {
    await aas.send(
      new RegisterScalableTargetCommand({
        ...target,
        MinCapacity: autoscaling.minCount,
        MaxCapacity: autoscaling.maxCount,
      }),
    );
    const policy = (suffix: string, config: TargetTrackingScalingPolicyConfiguration) =>
      aas.send(
        new PutScalingPolicyCommand({
          ...target,
          PolicyName: `${s.name}-${suffix}`,
          PolicyType: "TargetTrackingScaling",
          TargetTrackingScalingPolicyConfiguration: config,
        }),
      );
    await policy("cpu", {
      PredefinedMetricSpecification: { PredefinedMetricType: "ECSServiceAverageCPUUtilization" },
      TargetValue: autoscaling.cpuTargetPercent,
      ...cooldowns(spec),
    });
    if (autoscaling.backlogPerTaskTarget !== undefined) {
      await policy("backlog", {
        CustomizedMetricSpecification: {
          Namespace: BACKLOG_METRIC.namespace,
          MetricName: BACKLOG_METRIC.metricName,
          Dimensions: [{ Name: BACKLOG_METRIC.dimension, Value: s.env }],
          Statistic: "Average",
        },
        TargetValue: autoscaling.backlogPerTaskTarget,
        ...cooldowns(spec),
      });
    } else {
      await deleteUnwanted(aas, target, `${s.name}-backlog`);
    }
  } finally {
    aas.destroy();
  }
  say(`auto scaling ${s.name}: ${autoscaling.minCount}..${autoscaling.maxCount} tasks`);
}

async function deleteUnwanted(
  aas: ApplicationAutoScalingClient,
  target: { ServiceNamespace: "ecs"; ResourceId: string; ScalableDimension: "ecs:service:DesiredCount" },
  policyName: string,
): Promise<void> {
  const { ScalingPolicies } = await aas.send(
    new DescribeScalingPoliciesCommand({ ...target, PolicyNames: [policyName] }),
  );
  if (ScalingPolicies?.length)
    await aas.send(new DeleteScalingPolicyCommand({ ...target, PolicyName: policyName }));
}
