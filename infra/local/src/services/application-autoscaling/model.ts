import { randomUUID } from "node:crypto";
import type { PutMetricAlarmInput } from "@aws-sdk/client-cloudwatch";
import { AwsError } from "../../contracts.js";
import { type AlarmSettings, AWS_ALARM_SETTINGS, policyAlarms, type TrackedMetric } from "./alarms.js";
import { type Direction, proportionalCapacity, type ScalingHistory, scaledCapacity } from "./capacity.js";

// Application Auto Scaling's state and rules: scalable targets, target tracking policies (and the
// CloudWatch alarms each owns), scaling activities. No I/O: alarms go through the CloudWatch model
// handed in, capacity is read and set by the caller (runtime/autoscaling).

export interface Scope {
  region: string;
  accountId: string;
}

export interface TargetKey {
  serviceNamespace: string;
  resourceId: string;
  scalableDimension: string;
}

export interface ScalableTargetRecord extends TargetKey, ScalingHistory {
  arn: string;
  minCapacity: number;
  maxCapacity: number;
  roleArn: string;
  creationTime: number;
}

export interface TargetTrackingConfig {
  targetValue: number;
  predefined?: { predefinedMetricType: string; resourceLabel?: string };
  customized?: TrackedMetric;
  scaleOutCooldown: number;
  scaleInCooldown: number;
  disableScaleIn: boolean;
}

export interface PolicyRecord extends TargetKey {
  arn: string;
  name: string;
  config: TargetTrackingConfig;
  alarms: { name: string; arn: string; direction: Direction }[];
  creationTime: number;
}

export interface ActivityRecord extends TargetKey {
  activityId: string;
  description: string;
  cause: string;
  startTime: number;
  endTime: number;
  statusCode: "Successful" | "Failed";
  statusMessage: string;
}

export interface AutoScalingState {
  /** Keyed by targetKey(). */
  targets: Record<string, ScalableTargetRecord>;
  /** Keyed by ARN. */
  policies: Record<string, PolicyRecord>;
  /** Newest last, at most MAX_ACTIVITIES. */
  activities: ActivityRecord[];
}

export function emptyAutoScalingState(): AutoScalingState {
  return { targets: {}, policies: {}, activities: [] };
}

export interface RegisterTargetInput extends TargetKey {
  minCapacity?: number | undefined;
  maxCapacity?: number | undefined;
  roleArn?: string | undefined;
}

export interface PutPolicyInput extends TargetKey {
  policyName: string;
  config: TargetTrackingConfig;
}

/** The CloudWatch model as the policies use it: their alarms are created and deleted with them. */
export interface PolicyAlarmStore {
  putMetricAlarm(input: PutMetricAlarmInput, scope: Scope): void;
  deleteAlarms(names: string[]): void;
}

/** What an alarm in ALARM asks of its policy: the capacity to set, with the activity's wording. */
export interface ScalingDecision {
  policyArn: string;
  key: TargetKey;
  direction: Direction;
  from: number;
  to: number;
  cause: string;
}

/** Activities kept per region (DescribeScalingActivities covers six weeks on AWS). */
const MAX_ACTIVITIES = 1000;
/** ECS's default cooldowns (seconds). */
export const DEFAULT_COOLDOWN = 300;
const PREDEFINED_ECS_METRICS: Record<string, string> = {
  ECSServiceAverageCPUUtilization: "CPUUtilization",
  ECSServiceAverageMemoryUtilization: "MemoryUtilization",
};

export const targetKey = (k: TargetKey) => `${k.serviceNamespace}|${k.scalableDimension}|${k.resourceId}`;

const sameTarget = (a: TargetKey, b: TargetKey) => targetKey(a) === targetKey(b);

const describeKey = (k: TargetKey) =>
  `service namespace: ${k.serviceNamespace}, resource ID: ${k.resourceId}, scalable dimension: ${k.scalableDimension}`;

export function validation(message: string): AwsError {
  return new AwsError("ValidationException", message);
}

export class AutoScalingModel {
  constructor(
    readonly state: AutoScalingState,
    private readonly alarms: PolicyAlarmStore,
    private readonly settings: AlarmSettings = AWS_ALARM_SETTINGS,
    private readonly now: () => number = Date.now,
  ) {}

  /** A new target needs both capacities; an update changes what it is given. */
  registerScalableTarget(input: RegisterTargetInput, scope: Scope): ScalableTargetRecord {
    const existing = this.state.targets[targetKey(input)];
    const minCapacity = input.minCapacity ?? existing?.minCapacity;
    const maxCapacity = input.maxCapacity ?? existing?.maxCapacity;
    if (minCapacity === undefined || maxCapacity === undefined) {
      throw validation("MinCapacity and MaxCapacity are required to register a new scalable target");
    }
    if (minCapacity > maxCapacity) {
      throw validation(
        `Minimum capacity (${minCapacity}) cannot be greater than maximum capacity (${maxCapacity})`,
      );
    }
    const target: ScalableTargetRecord = existing ?? {
      serviceNamespace: input.serviceNamespace,
      resourceId: input.resourceId,
      scalableDimension: input.scalableDimension,
      arn: `arn:aws:application-autoscaling:${scope.region}:${scope.accountId}:scalable-target/${randomUUID().replaceAll("-", "")}`,
      minCapacity,
      maxCapacity,
      roleArn:
        input.roleArn ??
        `arn:aws:iam::${scope.accountId}:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService`,
      creationTime: this.now(),
    };
    Object.assign(target, { minCapacity, maxCapacity }, input.roleArn ? { roleArn: input.roleArn } : {});
    this.state.targets[targetKey(input)] = target;
    return target;
  }

  /** Its policies go with it, and their alarms. */
  deregisterScalableTarget(key: TargetKey): void {
    this.target(key);
    for (const policy of this.policiesOf(key)) this.removePolicy(policy);
    delete this.state.targets[targetKey(key)];
  }

  describeScalableTargets(filter: {
    serviceNamespace: string;
    resourceIds?: string[];
    scalableDimension?: string;
  }) {
    return Object.values(this.state.targets).filter(
      (t) =>
        t.serviceNamespace === filter.serviceNamespace &&
        (!filter.resourceIds?.length || filter.resourceIds.includes(t.resourceId)) &&
        (!filter.scalableDimension || t.scalableDimension === filter.scalableDimension),
    );
  }

  /** Creates or replaces the policy; its alarms are (re)created under the same names. */
  putScalingPolicy(input: PutPolicyInput, scope: Scope): PolicyRecord {
    this.target(input);
    const metric = this.trackedMetric(input);
    const existing = this.policiesOf(input).find((p) => p.name === input.policyName);
    const id = randomUUID();
    const arn =
      existing?.arn ??
      `arn:aws:autoscaling:${scope.region}:${scope.accountId}:scalingPolicy:${id}:resource/${input.serviceNamespace}/${input.resourceId}:policyName/${input.policyName}`;
    const policyId = existing ? existing.alarms[0]!.name.slice(-36) : id;
    const alarms = policyAlarms(
      {
        arn,
        resourceId: input.resourceId,
        targetValue: input.config.targetValue,
        disableScaleIn: input.config.disableScaleIn,
      },
      metric,
      this.settings,
      policyId,
    );
    const stale = (existing?.alarms ?? []).filter((a) => !alarms.some((n) => n.name === a.name));
    if (stale.length) this.alarms.deleteAlarms(stale.map((a) => a.name));
    for (const alarm of alarms) this.alarms.putMetricAlarm(alarm.input, scope);
    const policy: PolicyRecord = {
      serviceNamespace: input.serviceNamespace,
      resourceId: input.resourceId,
      scalableDimension: input.scalableDimension,
      arn,
      name: input.policyName,
      config: input.config,
      alarms: alarms.map((a) => ({
        name: a.name,
        direction: a.direction,
        arn: `arn:aws:cloudwatch:${scope.region}:${scope.accountId}:alarm:${a.name}`,
      })),
      creationTime: existing?.creationTime ?? this.now(),
    };
    this.state.policies[arn] = policy;
    return policy;
  }

  describeScalingPolicies(filter: {
    serviceNamespace: string;
    resourceId?: string;
    scalableDimension?: string;
    policyNames?: string[];
  }): PolicyRecord[] {
    return Object.values(this.state.policies).filter(
      (p) =>
        p.serviceNamespace === filter.serviceNamespace &&
        (!filter.resourceId || p.resourceId === filter.resourceId) &&
        (!filter.scalableDimension || p.scalableDimension === filter.scalableDimension) &&
        (!filter.policyNames?.length || filter.policyNames.includes(p.name)),
    );
  }

  deleteScalingPolicy(key: TargetKey, policyName: string): void {
    const policy = this.policiesOf(key).find((p) => p.name === policyName);
    if (!policy) {
      throw new AwsError(
        "ObjectNotFoundException",
        `No scaling policy found for ${describeKey(key)}, policy name: ${policyName}`,
      );
    }
    this.removePolicy(policy);
  }

  /** Newest first, as AWS lists them. */
  describeScalingActivities(filter: {
    serviceNamespace: string;
    resourceId?: string;
    scalableDimension?: string;
  }) {
    return this.state.activities
      .filter(
        (a) =>
          a.serviceNamespace === filter.serviceNamespace &&
          (!filter.resourceId || a.resourceId === filter.resourceId) &&
          (!filter.scalableDimension || a.scalableDimension === filter.scalableDimension),
      )
      .reverse();
  }

  /**
   * What the policy does about its alarm being in ALARM at `metric`, with the target at `current`:
   * undefined when it leaves the capacity alone (within bounds and cooldowns, or another policy of
   * the target not ready to scale in: AWS scales in only when every policy agrees, and then to the
   * largest capacity any of them asks for). `breaching` is an alarm's value when it is in ALARM.
   */
  decide(
    policyArn: string,
    alarmName: string,
    metric: number,
    current: number,
    breaching: (alarmName: string) => number | undefined,
  ): ScalingDecision | undefined {
    const policy = this.state.policies[policyArn];
    const alarm = policy?.alarms.find((a) => a.name === alarmName);
    const target = policy && this.state.targets[targetKey(policy)];
    if (!policy || !alarm || !target) return undefined;
    const others = alarm.direction === "in" ? this.othersScaleInTo(policy, current, breaching) : [];
    if (others === undefined) return undefined;
    const own = scaledCapacity({
      direction: alarm.direction,
      current,
      metric,
      target: policy.config.targetValue,
      min: target.minCapacity,
      max: target.maxCapacity,
      scaleOutCooldown: policy.config.scaleOutCooldown,
      scaleInCooldown: policy.config.scaleInCooldown,
      now: this.now(),
      history: target,
    });
    if (own === undefined) return undefined;
    const to = Math.max(own, ...others);
    if (alarm.direction === "in" && to >= current) return undefined;
    return {
      policyArn,
      key: policy,
      direction: alarm.direction,
      from: current,
      to,
      cause: `monitor alarm ${alarmName} in state ALARM triggered policy ${policy.name}`,
    };
  }

  /** Records the activity of a decision once the capacity was set (or refused with `error`). */
  recordScaling(decision: ScalingDecision, error?: string): ActivityRecord {
    const now = this.now();
    const target = this.state.targets[targetKey(decision.key)];
    if (target && error === undefined) {
      if (decision.direction === "out") target.lastScaleOut = { at: now, from: decision.from };
      else target.lastScaleIn = { at: now };
    }
    const activity: ActivityRecord = {
      serviceNamespace: decision.key.serviceNamespace,
      resourceId: decision.key.resourceId,
      scalableDimension: decision.key.scalableDimension,
      activityId: randomUUID(),
      description: `Setting desired count to ${decision.to}.`,
      cause: decision.cause,
      startTime: now,
      endTime: now,
      statusCode: error === undefined ? "Successful" : "Failed",
      statusMessage:
        error === undefined
          ? `Successfully set desired count to ${decision.to}. Change successfully fulfilled by ${decision.key.serviceNamespace}.`
          : `Failed to set desired count to ${decision.to}. Reason: ${error}`,
    };
    this.state.activities.push(activity);
    this.state.activities.splice(0, Math.max(0, this.state.activities.length - MAX_ACTIVITIES));
    return activity;
  }

  target(key: TargetKey): ScalableTargetRecord {
    const target = this.state.targets[targetKey(key)];
    if (!target)
      throw new AwsError("ObjectNotFoundException", `No scalable target registered for ${describeKey(key)}`);
    return target;
  }

  private policiesOf(key: TargetKey): PolicyRecord[] {
    return Object.values(this.state.policies).filter((p) => sameTarget(p, key));
  }

  /** The capacity each other policy of the target would scale in to; undefined if one is not ready. */
  private othersScaleInTo(
    policy: PolicyRecord,
    current: number,
    breaching: (alarmName: string) => number | undefined,
  ): number[] | undefined {
    const capacities: number[] = [];
    for (const p of this.policiesOf(policy)) {
      if (p.arn === policy.arn || p.config.disableScaleIn) continue;
      const low = p.alarms.find((a) => a.direction === "in");
      const value = low && breaching(low.name);
      if (value === undefined) return undefined;
      capacities.push(proportionalCapacity(current, value, p.config.targetValue));
    }
    return capacities;
  }

  private removePolicy(policy: PolicyRecord): void {
    this.alarms.deleteAlarms(policy.alarms.map((a) => a.name));
    delete this.state.policies[policy.arn];
  }

  /** The metric a policy tracks; a predefined one must fit the target's service. */
  private trackedMetric(input: PutPolicyInput): TrackedMetric {
    const { predefined, customized } = input.config;
    if (customized) return customized;
    const metricName = predefined && PREDEFINED_ECS_METRICS[predefined.predefinedMetricType];
    if (!predefined || !metricName || input.serviceNamespace !== "ecs") {
      throw validation(
        `Unsupported metric type ${predefined?.predefinedMetricType ?? "(none)"} for ${describeKey(input)}; the local region tracks ${Object.keys(PREDEFINED_ECS_METRICS).join(", ")} and customized metrics`,
      );
    }
    const [, cluster, service] = input.resourceId.split("/");
    return {
      namespace: "AWS/ECS",
      metricName,
      dimensions: [
        { Name: "ClusterName", Value: cluster ?? "" },
        { Name: "ServiceName", Value: service ?? "" },
      ],
      statistic: "Average",
    };
  }
}
