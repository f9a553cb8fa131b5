import { AwsError } from "../../contracts.js";
import type { PageRequest } from "../../wire/paging.js";
import {
  type Input,
  inRange,
  missing,
  optBool,
  optInt,
  optNumber,
  optObject,
  optObjectList,
  optString,
  optStringList,
  reqString,
} from "../../wire/params.js";
import type { TrackedMetric } from "./alarms.js";
import {
  DEFAULT_COOLDOWN,
  type PutPolicyInput,
  type TargetKey,
  type TargetTrackingConfig,
  validation,
} from "./model.js";

// Application Auto Scaling's requests decoded into the model's typed inputs. The local region
// scales ECS services only (`ecs:service:DesiredCount` on `service/<cluster>/<service>`).

const NAMESPACES = [
  "ecs",
  "elasticmapreduce",
  "ec2",
  "appstream",
  "dynamodb",
  "rds",
  "sagemaker",
  "custom-resource",
  "comprehend",
  "lambda",
  "cassandra",
  "kafka",
  "elasticache",
  "neptune",
  "workspaces",
];
const STATISTICS = ["Average", "Minimum", "Maximum", "SampleCount", "Sum"] as const;
const ECS_RESOURCE = /^service\/[A-Za-z0-9_-]{1,255}\/[A-Za-z0-9_-]{1,255}$/;
const MAX_COOLDOWN = 1_000_000_000;

function enumValue<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) {
    throw validation(
      `1 validation error detected: Value '${value}' at '${name}' failed to satisfy constraint: Member must satisfy enum value set: [${allowed.join(", ")}]`,
    );
  }
  return value as T;
}

export function serviceNamespace(input: Input): string {
  const namespace = enumValue("serviceNamespace", reqString(input, "ServiceNamespace"), NAMESPACES);
  if (namespace !== "ecs") throw validation(`The local region scales ECS services only, not ${namespace}`);
  return namespace;
}

export function targetKeyInput(input: Input): TargetKey {
  const key = {
    serviceNamespace: serviceNamespace(input),
    resourceId: reqString(input, "ResourceId"),
    scalableDimension: reqString(input, "ScalableDimension"),
  };
  if (key.scalableDimension !== "ecs:service:DesiredCount") {
    throw validation(`Unsupported scalable dimension ${key.scalableDimension} for service namespace ecs`);
  }
  if (!ECS_RESOURCE.test(key.resourceId)) {
    throw validation(`Unsupported service namespace, resource type or scalable dimension: ${key.resourceId}`);
  }
  return key;
}

export function registerTargetInput(input: Input) {
  const minCapacity = optInt(input, "MinCapacity");
  const maxCapacity = optInt(input, "MaxCapacity");
  inRange("ValidationException", "minCapacity", minCapacity, 0, 2_147_483_647);
  inRange("ValidationException", "maxCapacity", maxCapacity, 0, 2_147_483_647);
  if (optObject(input, "SuspendedState"))
    throw validation("SuspendedState is not supported by the local region");
  return { ...targetKeyInput(input), minCapacity, maxCapacity, roleArn: optString(input, "RoleARN") };
}

export function putPolicyInput(input: Input): PutPolicyInput {
  const key = targetKeyInput(input);
  const policyName = reqString(input, "PolicyName");
  if (!/^[^\p{Cc}:]{1,256}$/u.test(policyName)) {
    throw validation(
      `1 validation error detected: Value '${policyName}' at 'policyName' failed to satisfy constraint: Member must satisfy regular expression pattern: \\p{Print}+`,
    );
  }
  const type = optString(input, "PolicyType") ?? "StepScaling";
  if (type !== "TargetTrackingScaling") {
    throw validation(`The local region supports TargetTrackingScaling policies only, not ${type}`);
  }
  const config = optObject(input, "TargetTrackingScalingPolicyConfiguration");
  if (!config)
    throw validation(
      "TargetTrackingScalingPolicyConfiguration is required for a TargetTrackingScaling policy",
    );
  return { ...key, policyName, config: trackingConfig(config) };
}

function trackingConfig(input: Input): TargetTrackingConfig {
  const targetValue = optNumber(input, "TargetValue");
  if (targetValue === undefined) throw missing("targetTrackingScalingPolicyConfiguration.targetValue");
  if (!(targetValue > 0) || !Number.isFinite(targetValue))
    throw validation("TargetValue must be greater than 0");
  const predefined = optObject(input, "PredefinedMetricSpecification");
  const customized = optObject(input, "CustomizedMetricSpecification");
  if (!predefined === !customized) {
    throw validation(
      "Exactly one of PredefinedMetricSpecification and CustomizedMetricSpecification must be given",
    );
  }
  const cooldown = (name: string) => {
    const v = optInt(input, name);
    inRange("ValidationException", name.charAt(0).toLowerCase() + name.slice(1), v, 0, MAX_COOLDOWN);
    return v ?? DEFAULT_COOLDOWN;
  };
  return {
    targetValue,
    ...(predefined ? { predefined: predefinedMetric(predefined) } : {}),
    ...(customized ? { customized: customizedMetric(customized) } : {}),
    scaleOutCooldown: cooldown("ScaleOutCooldown"),
    scaleInCooldown: cooldown("ScaleInCooldown"),
    disableScaleIn: optBool(input, "DisableScaleIn") ?? false,
  };
}

function predefinedMetric(input: Input) {
  const label = optString(input, "ResourceLabel");
  return {
    predefinedMetricType: reqString(input, "PredefinedMetricType"),
    ...(label ? { resourceLabel: label } : {}),
  };
}

function customizedMetric(input: Input): TrackedMetric {
  if (optList(input)) throw validation("Metric math (Metrics) is not supported by the local region");
  const metricName = optString(input, "MetricName");
  const namespace = optString(input, "Namespace");
  if (!metricName || !namespace)
    throw validation("CustomizedMetricSpecification needs MetricName and Namespace");
  const unit = optString(input, "Unit");
  return {
    metricName,
    namespace,
    dimensions: (optObjectList(input, "Dimensions") ?? []).map((d) => ({
      Name: reqString(d, "Name"),
      Value: reqString(d, "Value"),
    })),
    statistic: enumValue("statistic", reqString(input, "Statistic"), STATISTICS),
    ...(unit ? { unit } : {}),
  };
}

function optList(input: Input): boolean {
  return (optObjectList(input, "Metrics") ?? []).length > 0;
}

export function describeTargetsFilter(input: Input) {
  const dimension = optString(input, "ScalableDimension");
  const ids = optStringList(input, "ResourceIds");
  return {
    serviceNamespace: serviceNamespace(input),
    ...(ids ? { resourceIds: ids } : {}),
    ...(dimension ? { scalableDimension: dimension } : {}),
  };
}

export function describeFilter(input: Input) {
  const resourceId = optString(input, "ResourceId");
  const dimension = optString(input, "ScalableDimension");
  const names = optStringList(input, "PolicyNames");
  return {
    serviceNamespace: serviceNamespace(input),
    ...(resourceId ? { resourceId } : {}),
    ...(dimension ? { scalableDimension: dimension } : {}),
    ...(names ? { policyNames: names } : {}),
  };
}

/** MaxResults 1 to 50 (50 by default), NextToken. */
export function pageRequest(input: Input): PageRequest {
  const n = optInt(input, "MaxResults");
  inRange("ValidationException", "maxResults", n, 1, 50);
  return { size: n ?? 50, token: optString(input, "NextToken") };
}

export const invalidToken = () => new AwsError("InvalidNextTokenException", "Invalid token");
