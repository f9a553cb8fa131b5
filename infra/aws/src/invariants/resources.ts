// A stack as a list of registered resources: what the invariant checks read. Tests record it from
// `pulumi.runtime.setMocks`; the same checks could read a `pulumi preview --json` or a state export.

export interface RecordedResource {
  /** Pulumi type token, e.g. `aws:ecs/service:Service`. */
  type: string;
  /** Logical name. */
  name: string;
  inputs: Record<string, unknown>;
  /** What the provider returned: id, arn and other computed attributes. */
  outputs: Record<string, unknown>;
  ignoreChanges: string[];
}

export const TYPES = {
  taskDefinition: "aws:ecs/taskDefinition:TaskDefinition",
  service: "aws:ecs/service:Service",
  capacityProvider: "aws:ecs/capacityProvider:CapacityProvider",
  loadBalancer: "aws:lb/loadBalancer:LoadBalancer",
  targetGroup: "aws:lb/targetGroup:TargetGroup",
  listener: "aws:lb/listener:Listener",
  listenerRule: "aws:lb/listenerRule:ListenerRule",
  securityGroup: "aws:ec2/securityGroup:SecurityGroup",
  launchTemplate: "aws:ec2/launchTemplate:LaunchTemplate",
  repository: "aws:ecr/repository:Repository",
  lifecyclePolicy: "aws:ecr/lifecyclePolicy:LifecyclePolicy",
  logGroup: "aws:cloudwatch/logGroup:LogGroup",
  metricAlarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
  metricFilter: "aws:cloudwatch/logMetricFilter:LogMetricFilter",
  topic: "aws:sns/topic:Topic",
  subscription: "aws:sns/topicSubscription:TopicSubscription",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  lambdaFunction: "aws:lambda/function:Function",
  lambdaPermission: "aws:lambda/permission:Permission",
  scalingTarget: "aws:appautoscaling/target:Target",
  scalingPolicy: "aws:appautoscaling/policy:Policy",
  dbInstance: "aws:rds/instance:Instance",
  publicAccessBlock: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  bucketEncryption: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  bucketVersioning: "aws:s3/bucketVersioning:BucketVersioning",
  bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
} as const;

export function ofType(resources: RecordedResource[], type: string): RecordedResource[] {
  return resources.filter((r) => r.type === type);
}

export function str(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

export function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function obj(value: unknown): Record<string, unknown> {
  return value && typeof value === "object" && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

/** Inputs such as containerDefinitions and policies are JSON strings; objects are accepted as they are. */
export function parseJson(value: unknown): unknown {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

/** The resource name inside an ARN: `...:targetgroup/api-qa/73e2d6bc` → `api-qa`. */
export function arnResourceName(arn: string | undefined, kind: string): string | undefined {
  const match = arn?.match(new RegExp(`:${kind}/([^/]+)`));
  return match?.[1];
}
