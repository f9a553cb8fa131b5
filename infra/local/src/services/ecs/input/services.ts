import type {
  ListServiceDeploymentsInput,
  StopServiceDeploymentInput,
} from "../model/service-deployments.js";
import type { DeploymentConfigurationRequest, LoadBalancerRequest } from "../model/service-input.js";
import type { CreateServiceInput, DeleteServiceInput, UpdateServiceInput } from "../model/services.js";
import {
  list,
  object,
  optionalBool,
  optionalInt,
  optionalNumber,
  optionalString,
  stringList,
} from "./values.js";

// CreateService, UpdateService, DeleteService and the service deployment operations, read into
// the model's typed inputs.

const MAX_GRACE_SECONDS = 2147483647;

export function createServiceInput(input: Record<string, unknown>): CreateServiceInput {
  return {
    cluster: optionalString(input.cluster, "cluster"),
    serviceName: optionalString(input.serviceName, "serviceName"),
    taskDefinition: optionalString(input.taskDefinition, "taskDefinition"),
    schedulingStrategy: optionalString(input.schedulingStrategy, "schedulingStrategy"),
    launchType: optionalString(input.launchType, "launchType"),
    desiredCount: optionalInt(input.desiredCount, "desiredCount", 0, 1000),
    loadBalancers: loadBalancers(input.loadBalancers),
    healthCheckGracePeriodSeconds: gracePeriod(input),
    propagateTags: optionalString(input.propagateTags, "propagateTags"),
    enableECSManagedTags: optionalBool(input.enableECSManagedTags, "enableECSManagedTags"),
    deploymentConfiguration: deploymentConfiguration(input.deploymentConfiguration),
  };
}

export function updateServiceInput(input: Record<string, unknown>): UpdateServiceInput {
  return {
    cluster: optionalString(input.cluster, "cluster"),
    service: optionalString(input.service, "service"),
    taskDefinition: optionalString(input.taskDefinition, "taskDefinition"),
    desiredCount: optionalInt(input.desiredCount, "desiredCount", 0, 1000),
    forceNewDeployment: optionalBool(input.forceNewDeployment, "forceNewDeployment"),
    loadBalancers: input.loadBalancers === undefined ? undefined : loadBalancers(input.loadBalancers),
    healthCheckGracePeriodSeconds: gracePeriod(input),
    deploymentConfiguration: deploymentConfiguration(input.deploymentConfiguration),
  };
}

export function deleteServiceInput(input: Record<string, unknown>): DeleteServiceInput {
  return {
    cluster: optionalString(input.cluster, "cluster"),
    service: optionalString(input.service, "service"),
    force: optionalBool(input.force, "force"),
  };
}

export function listServiceDeploymentsInput(input: Record<string, unknown>): ListServiceDeploymentsInput {
  return {
    cluster: optionalString(input.cluster, "cluster"),
    service: optionalString(input.service, "service"),
    status: input.status === undefined ? undefined : stringList(input.status, "status"),
  };
}

export function continueServiceDeploymentInput(input: Record<string, unknown>) {
  return {
    serviceDeploymentArn: optionalString(input.serviceDeploymentArn, "serviceDeploymentArn"),
    hookId: optionalString(input.hookId, "hookId"),
    action: optionalString(input.action, "action"),
  };
}

export function stopServiceDeploymentInput(input: Record<string, unknown>): StopServiceDeploymentInput {
  return {
    serviceDeploymentArn: optionalString(input.serviceDeploymentArn, "serviceDeploymentArn"),
    stopType: optionalString(input.stopType, "stopType"),
  };
}

function gracePeriod(input: Record<string, unknown>): number | undefined {
  return optionalInt(
    input.healthCheckGracePeriodSeconds,
    "healthCheckGracePeriodSeconds",
    0,
    MAX_GRACE_SECONDS,
  );
}

function loadBalancers(value: unknown): LoadBalancerRequest[] {
  return list(value, "loadBalancers").map((lb, i) => {
    const o = object(lb, `loadBalancers[${i}]`);
    return {
      targetGroupArn: optionalString(o.targetGroupArn, "loadBalancers.targetGroupArn"),
      containerName: optionalString(o.containerName, "loadBalancers.containerName"),
      containerPort: optionalInt(o.containerPort, "loadBalancers.containerPort", 0, 65535),
      advancedConfiguration:
        o.advancedConfiguration === undefined || o.advancedConfiguration === null
          ? undefined
          : advancedConfiguration(o.advancedConfiguration),
    };
  });
}

function deploymentConfiguration(value: unknown): DeploymentConfigurationRequest | undefined {
  if (value === undefined || value === null) return undefined;
  const o = object(value, "deploymentConfiguration");
  const breaker = o.deploymentCircuitBreaker;
  return {
    maximumPercent: optionalInt(o.maximumPercent, "deploymentConfiguration.maximumPercent", 100, 200),
    minimumHealthyPercent: optionalInt(
      o.minimumHealthyPercent,
      "deploymentConfiguration.minimumHealthyPercent",
      0,
      100,
    ),
    deploymentCircuitBreaker: breaker === undefined || breaker === null ? undefined : circuitBreaker(breaker),
    alarms: o.alarms === undefined || o.alarms === null ? undefined : deploymentAlarms(o.alarms),
    strategy: optionalString(o.strategy, "deploymentConfiguration.strategy"),
    bakeTimeInMinutes: optionalInt(o.bakeTimeInMinutes, "deploymentConfiguration.bakeTimeInMinutes", 0, 1440),
    canaryConfiguration: present(o.canaryConfiguration) ? canary(o.canaryConfiguration) : undefined,
    linearConfiguration: present(o.linearConfiguration) ? linear(o.linearConfiguration) : undefined,
    lifecycleHooks: present(o.lifecycleHooks)
      ? list(o.lifecycleHooks, "deploymentConfiguration.lifecycleHooks").map(lifecycleHook)
      : undefined,
  };
}

const present = (value: unknown) => value !== undefined && value !== null;

function advancedConfiguration(value: unknown) {
  const a = object(value, "loadBalancers.advancedConfiguration");
  const field = (name: string) => optionalString(a[name], `loadBalancers.advancedConfiguration.${name}`);
  return {
    alternateTargetGroupArn: field("alternateTargetGroupArn"),
    productionListenerRule: field("productionListenerRule"),
    testListenerRule: field("testListenerRule"),
    roleArn: field("roleArn"),
  };
}

function canary(value: unknown) {
  const c = object(value, "deploymentConfiguration.canaryConfiguration");
  const what = "deploymentConfiguration.canaryConfiguration";
  return {
    canaryPercent: optionalNumber(c.canaryPercent, `${what}.canaryPercent`, 0.1, 100),
    canaryBakeTimeInMinutes: optionalInt(
      c.canaryBakeTimeInMinutes,
      `${what}.canaryBakeTimeInMinutes`,
      0,
      1440,
    ),
  };
}

function linear(value: unknown) {
  const c = object(value, "deploymentConfiguration.linearConfiguration");
  const what = "deploymentConfiguration.linearConfiguration";
  return {
    stepPercent: optionalNumber(c.stepPercent, `${what}.stepPercent`, 3, 100),
    stepBakeTimeInMinutes: optionalInt(c.stepBakeTimeInMinutes, `${what}.stepBakeTimeInMinutes`, 0, 1440),
  };
}

function lifecycleHook(value: unknown, i: number) {
  const what = `deploymentConfiguration.lifecycleHooks[${i}]`;
  const h = object(value, what);
  const timeout = present(h.timeoutConfiguration)
    ? object(h.timeoutConfiguration, `${what}.timeoutConfiguration`)
    : undefined;
  return {
    index: i,
    targetType: optionalString(h.targetType, `${what}.targetType`),
    hookTargetArn: optionalString(h.hookTargetArn, `${what}.hookTargetArn`),
    roleArn: optionalString(h.roleArn, `${what}.roleArn`),
    lifecycleStages: present(h.lifecycleStages)
      ? stringList(h.lifecycleStages, `${what}.lifecycleStages`)
      : undefined,
    timeoutInMinutes:
      timeout &&
      optionalInt(timeout.timeoutInMinutes, `${what}.timeoutConfiguration.timeoutInMinutes`, 1, 1440),
    timeoutAction: timeout && optionalString(timeout.action, `${what}.timeoutConfiguration.action`),
  };
}

function deploymentAlarms(value: unknown) {
  const a = object(value, "deploymentConfiguration.alarms");
  return {
    alarmNames:
      a.alarmNames === undefined
        ? undefined
        : stringList(a.alarmNames, "deploymentConfiguration.alarms.alarmNames"),
    enable: optionalBool(a.enable, "deploymentConfiguration.alarms.enable"),
    rollback: optionalBool(a.rollback, "deploymentConfiguration.alarms.rollback"),
  };
}

function circuitBreaker(value: unknown) {
  const cb = object(value, "deploymentCircuitBreaker");
  return {
    enable: optionalBool(cb.enable, "deploymentCircuitBreaker.enable"),
    rollback: optionalBool(cb.rollback, "deploymentCircuitBreaker.rollback"),
  };
}
