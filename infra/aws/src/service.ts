import {
  type AppName,
  type DeploymentSpec,
  deploymentAlarmNames,
  type EnvironmentName,
  type ServiceSpec,
  taskDefinition,
  taskDefinitionFields,
} from "@platform/env";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { BACKLOG_METRIC, logGroupName } from "./naming.js";
import type { TrafficShiftRefs } from "./shared-outputs.js";

export interface ServiceArgs {
  app: AppName;
  env: EnvironmentName;
  service: ServiceSpec;
  region: string;
  clusterArn: pulumi.Input<string>;
  clusterName: pulumi.Input<string>;
  capacityProviderName: pulumi.Input<string>;
  targetGroupArn: pulumi.Input<string>;
  deployment: DeploymentSpec;
  /** Given exactly when the deployment's strategy shifts traffic between two target groups. */
  trafficShift?: TrafficShiftRefs;
  repositoryUrl: pulumi.Input<string>;
  /** The tag of the first task definition only; the deploy tool owns every later one. */
  bootstrapImageTag: string;
  executionRoleArn: pulumi.Input<string>;
  taskRoleArn: pulumi.Input<string>;
  secrets: pulumi.Input<Record<string, pulumi.Input<string>>>;
  extraEnvironment: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/**
 * One ECS service of one environment: its log group, its first task definition, the service behind its
 * target group with rolling blue/green settings, and its target-tracking auto scaling.
 */
export class Service extends pulumi.ComponentResource {
  readonly serviceName: pulumi.Output<string>;
  readonly logGroupName: pulumi.Output<string>;

  constructor(name: string, args: ServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:aws:Service", name, {}, opts);
    const logs = new aws.cloudwatch.LogGroup(
      name,
      { name: logGroupName(args.app, args.env), retentionInDays: args.service.logRetentionDays },
      { parent: this },
    );
    const firstRevision = this.taskDefinition(name, args, logs);
    const service = this.ecsService(name, args, firstRevision);
    this.autoScaling(name, args, service);
    this.serviceName = service.name;
    this.logGroupName = logs.name;
    this.registerOutputs({ serviceName: this.serviceName, logGroupName: this.logGroupName });
  }

  private taskDefinition(name: string, args: ServiceArgs, logs: aws.cloudwatch.LogGroup) {
    const containers = pulumi
      .all([args.repositoryUrl, logs.name, args.secrets, args.extraEnvironment])
      .apply(([repositoryUrl, group, secrets, extraEnvironment]) =>
        JSON.stringify(
          taskDefinition({
            app: args.app,
            env: args.env,
            service: args.service,
            image: `${repositoryUrl}:${args.bootstrapImageTag}`,
            region: args.region,
            logGroupName: group,
            secrets,
            extraEnvironment,
          }).containerDefinitions,
        ),
      );
    return new aws.ecs.TaskDefinition(
      name,
      {
        ...taskDefinitionFields(args.app, args.env),
        executionRoleArn: args.executionRoleArn,
        taskRoleArn: args.taskRoleArn,
        containerDefinitions: containers,
      },
      { parent: this },
    );
  }

  private ecsService(name: string, args: ServiceArgs, taskDefinition: aws.ecs.TaskDefinition) {
    return new aws.ecs.Service(
      name,
      {
        name,
        cluster: args.clusterArn,
        taskDefinition: taskDefinition.arn,
        desiredCount: args.service.desiredCount,
        capacityProviderStrategies: [{ capacityProvider: args.capacityProviderName, weight: 1, base: 0 }],
        loadBalancers: [
          {
            targetGroupArn: args.targetGroupArn,
            containerName: args.app,
            containerPort: args.service.containerPort,
            advancedConfiguration: args.trafficShift,
          },
        ],
        deploymentConfiguration: deploymentConfiguration(args.deployment),
        healthCheckGracePeriodSeconds: args.service.healthCheckGracePeriodSeconds,
        // A new task starts beside the old one (hostPort 0 lets them share an instance); the old one
        // stops only once the new one is healthy. Blue/green keeps the whole old set through the bake.
        deploymentMaximumPercent: 200,
        deploymentMinimumHealthyPercent: 100,
        deploymentCircuitBreaker: { enable: true, rollback: true },
        // A deploy that sets off the service's 5xx or error-log alarm is rolled back too.
        alarms: {
          alarmNames: deploymentAlarmNames(args.app, args.env, args.deployment),
          enable: true,
          rollback: true,
        },
        deploymentController: { type: "ECS" },
        orderedPlacementStrategies: [
          { type: "spread", field: "attribute:ecs.availability-zone" },
          { type: "binpack", field: "memory" },
        ],
        enableEcsManagedTags: true,
        propagateTags: "SERVICE",
        waitForSteadyState: false,
        tags: { Environment: args.env, App: args.app },
      },
      // The deploy tool registers task definitions and auto scaling sets the count: `pulumi up` must never
      // revert either.
      { parent: this, ignoreChanges: ["taskDefinition", "desiredCount"] },
    );
  }

  private autoScaling(name: string, args: ServiceArgs, service: aws.ecs.Service): void {
    const { autoscaling } = args.service;
    const target = new aws.appautoscaling.Target(
      name,
      {
        serviceNamespace: "ecs",
        scalableDimension: "ecs:service:DesiredCount",
        resourceId: pulumi.interpolate`service/${args.clusterName}/${service.name}`,
        minCapacity: autoscaling.minCount,
        maxCapacity: autoscaling.maxCount,
      },
      { parent: this },
    );
    const policy = (
      suffix: string,
      config: aws.types.input.appautoscaling.PolicyTargetTrackingScalingPolicyConfiguration,
    ) =>
      new aws.appautoscaling.Policy(
        `${name}-${suffix}`,
        {
          policyType: "TargetTrackingScaling",
          serviceNamespace: target.serviceNamespace,
          scalableDimension: target.scalableDimension,
          resourceId: target.resourceId,
          targetTrackingScalingPolicyConfiguration: config,
        },
        { parent: this },
      );
    policy("cpu", {
      predefinedMetricSpecification: { predefinedMetricType: "ECSServiceAverageCPUUtilization" },
      targetValue: autoscaling.cpuTargetPercent,
      scaleOutCooldown: 60,
      scaleInCooldown: 300,
    });
    if (autoscaling.backlogPerTaskTarget !== undefined) {
      policy("backlog", {
        customizedMetricSpecification: {
          namespace: BACKLOG_METRIC.namespace,
          metricName: BACKLOG_METRIC.metricName,
          dimensions: [{ name: BACKLOG_METRIC.dimension, value: args.env }],
          statistic: "Average",
        },
        targetValue: autoscaling.backlogPerTaskTarget,
        scaleOutCooldown: 60,
        scaleInCooldown: 300,
      });
    }
  }
}

/** ECS's deployment settings from the spec; its API takes the minutes as strings. */
function deploymentConfiguration(d: DeploymentSpec): aws.types.input.ecs.ServiceDeploymentConfiguration {
  const minutes = (m: number | undefined) => (m === undefined ? undefined : String(m));
  return {
    strategy: d.strategy,
    bakeTimeInMinutes: minutes(d.bakeTimeInMinutes),
    canaryConfiguration: d.canaryConfiguration && {
      canaryPercent: d.canaryConfiguration.canaryPercent,
      canaryBakeTimeInMinutes: minutes(d.canaryConfiguration.canaryBakeTimeInMinutes),
    },
    linearConfiguration: d.linearConfiguration && {
      stepPercent: d.linearConfiguration.stepPercent,
      stepBakeTimeInMinutes: minutes(d.linearConfiguration.stepBakeTimeInMinutes),
    },
  };
}
