import { AwsError } from "../../../contracts.js";
import { checkTrafficShift } from "./advanced-configuration.js";
import { newDeploymentId, newShortId, serviceArn, serviceDeploymentArn, serviceRevisionArn } from "./arns.js";
import { beginShift, shiftSource, supersedeShift } from "./blue-green.js";
import {
  activeService,
  addEvent,
  findCluster,
  findService,
  findTaskDefinition,
  lookUp,
  type ModelContext,
  nowSeconds,
  stateOf,
} from "./context.js";
import { keepLiveTargetGroups, liveTargetGroups } from "./deployment-target-groups.js";
import { eventMessages } from "./events.js";
import {
  checkLoadBalancersMatch,
  type DeploymentConfigurationRequest,
  deploymentConfigurationOf,
  type LoadBalancerRequest,
  loadBalancersOf,
} from "./service-input.js";
import { setTags } from "./tags.js";
import type { DeploymentRecord, Failure, ServiceRecord, Tag, TaskDefinitionRecord } from "./types.js";
import { checkName, invalid } from "./validation.js";

/** Whether a target group exists (the ELBv2 side knows; ECS refuses unknown ones). */
export type TargetGroupCheck = (targetGroupArn: string) => boolean;

export interface CreateServiceInput {
  cluster?: string | undefined;
  serviceName?: string | undefined;
  taskDefinition?: string | undefined;
  desiredCount?: number | undefined;
  schedulingStrategy?: string | undefined;
  launchType?: string | undefined;
  loadBalancers?: LoadBalancerRequest[] | undefined;
  healthCheckGracePeriodSeconds?: number | undefined;
  propagateTags?: string | undefined;
  enableECSManagedTags?: boolean | undefined;
  deploymentConfiguration?: DeploymentConfigurationRequest | undefined;
}

export interface UpdateServiceInput {
  cluster?: string | undefined;
  service?: string | undefined;
  taskDefinition?: string | undefined;
  desiredCount?: number | undefined;
  forceNewDeployment?: boolean | undefined;
  loadBalancers?: LoadBalancerRequest[] | undefined;
  healthCheckGracePeriodSeconds?: number | undefined;
  deploymentConfiguration?: DeploymentConfigurationRequest | undefined;
}

export interface DeleteServiceInput {
  cluster?: string | undefined;
  service?: string | undefined;
  force?: boolean | undefined;
}

export function createService(
  ctx: ModelContext,
  input: CreateServiceInput,
  tags: Tag[],
  targetGroupExists: TargetGroupCheck,
): ServiceRecord {
  const cluster = findCluster(ctx, input.cluster);
  const serviceName = checkName(input.serviceName, "Service");
  const clash = Object.values(stateOf(ctx).services).find(
    (s) => s.clusterArn === cluster.clusterArn && s.serviceName === serviceName && s.status !== "INACTIVE",
  );
  if (clash) throw invalid("Creation of service was not idempotent.");
  const td = activeTaskDefinition(ctx, input.taskDefinition);
  if ((input.schedulingStrategy ?? "REPLICA") !== "REPLICA")
    throw invalid("Only the REPLICA scheduling strategy is supported by the local region.");
  const launchType = input.launchType ?? "EC2";
  if (launchType !== "EC2")
    throw invalid(`launchType ${launchType} is not available: the local region has one EC2 instance.`);
  const desiredCount = input.desiredCount;
  if (desiredCount === undefined)
    throw invalid("desiredCount is required for a service using the REPLICA strategy.");
  const loadBalancers = loadBalancersOf(input.loadBalancers ?? []);
  checkLoadBalancers(loadBalancers, td, targetGroupExists);
  const grace = input.healthCheckGracePeriodSeconds;
  if (grace !== undefined && loadBalancers.length === 0) {
    throw invalid("Health check grace period is only valid for services configured to use load balancers");
  }
  const propagateTags = propagateTagsOf(input.propagateTags);
  const deploymentConfiguration = deploymentConfigurationOf(input.deploymentConfiguration);
  checkTrafficShift(deploymentConfiguration.strategy, loadBalancers, ctx.traffic, targetGroupExists);
  const service: ServiceRecord = {
    serviceArn: serviceArn(ctx.partition, cluster.clusterName, serviceName),
    serviceName,
    clusterArn: cluster.clusterArn,
    taskDefinition: td.taskDefinitionArn,
    desiredCount,
    status: "ACTIVE",
    launchType: "EC2",
    schedulingStrategy: "REPLICA",
    deploymentConfiguration,
    loadBalancers,
    ...(grace !== undefined ? { healthCheckGracePeriodSeconds: grace } : {}),
    deployments: [],
    events: [],
    createdAt: nowSeconds(ctx),
    enableECSManagedTags: input.enableECSManagedTags ?? false,
    propagateTags,
    steady: false,
  };
  stateOf(ctx).services[service.serviceArn] = service;
  setTags(ctx, service.serviceArn, tags);
  startDeployment(ctx, service, td);
  return service;
}

/** UpdateService's desiredCount, and Application Auto Scaling's: the scheduler follows at its next pass. */
export function setDesiredCount(service: ServiceRecord, desiredCount: number): void {
  if (desiredCount === service.desiredCount) return;
  service.desiredCount = desiredCount;
  service.steady = false;
  for (const d of service.deployments) if (d.status === "PRIMARY") d.desiredCount = desiredCount;
}

export function updateService(
  ctx: ModelContext,
  input: UpdateServiceInput,
  targetGroupExists: TargetGroupCheck,
): ServiceRecord {
  const cluster = findCluster(ctx, input.cluster);
  const service = activeService(findService(ctx, cluster, input.service));
  const td = input.taskDefinition === undefined ? undefined : activeTaskDefinition(ctx, input.taskDefinition);
  const desiredCount = input.desiredCount;
  const force = input.forceNewDeployment ?? false;
  const loadBalancers = input.loadBalancers === undefined ? undefined : loadBalancersOf(input.loadBalancers);
  const nextTd = td ?? findTaskDefinition(ctx, service.taskDefinition);
  const nextLbs = loadBalancers ?? service.loadBalancers;
  checkLoadBalancers(nextLbs, nextTd, targetGroupExists);
  const grace = input.healthCheckGracePeriodSeconds;
  const nextConfig = deploymentConfigurationOf(
    input.deploymentConfiguration,
    service.deploymentConfiguration,
  );
  checkTrafficShift(nextConfig.strategy, nextLbs, ctx.traffic, targetGroupExists);

  service.deploymentConfiguration = nextConfig;
  if (grace !== undefined) service.healthCheckGracePeriodSeconds = grace;
  if (desiredCount !== undefined) setDesiredCount(service, desiredCount);
  const lbsChanged =
    loadBalancers !== undefined && JSON.stringify(loadBalancers) !== JSON.stringify(service.loadBalancers);
  if (lbsChanged) {
    const live = keepLiveTargetGroups(service, nextLbs);
    if (live) service.liveTargetGroups = live;
    else delete service.liveTargetGroups;
  }
  service.loadBalancers = nextLbs;
  // Only a new task definition, changed load balancers or forceNewDeployment start a deployment.
  if (force || lbsChanged || nextTd.taskDefinitionArn !== service.taskDefinition) {
    startDeployment(ctx, service, nextTd);
  }
  return service;
}

export function deleteService(ctx: ModelContext, input: DeleteServiceInput): ServiceRecord {
  const cluster = findCluster(ctx, input.cluster);
  const service = findService(ctx, cluster, input.service);
  if (service.desiredCount > 0 && !input.force) {
    throw invalid("The service cannot be stopped while it is scaled above 0.");
  }
  service.desiredCount = 0;
  service.status = "DRAINING";
  for (const d of service.deployments) d.desiredCount = 0;
  return service;
}

export function describeServices(
  ctx: ModelContext,
  clusterRef: string | undefined,
  refs: string[],
): { services: ServiceRecord[]; failures: Failure[] } {
  const cluster = findCluster(ctx, clusterRef);
  const nameOf = (ref: string) => (ref.startsWith("arn:") ? ref.slice(ref.lastIndexOf("/") + 1) : ref);
  const { found, failures } = lookUp(
    refs,
    // DescribeServices still shows a deleted (INACTIVE) service, as ECS does for a while.
    (ref) =>
      Object.values(stateOf(ctx).services)
        .filter((s) => s.clusterArn === cluster.clusterArn && s.serviceName === nameOf(ref))
        .sort((a, b) => Number(a.status === "INACTIVE") - Number(b.status === "INACTIVE"))[0],
    (ref) =>
      ref.startsWith("arn:") ? ref : `${cluster.clusterArn.replace(":cluster/", ":service/")}/${nameOf(ref)}`,
  );
  return { services: found, failures };
}

/** ListServices: the ACTIVE services of a cluster. */
export function listServices(ctx: ModelContext, clusterRef: string | undefined): string[] {
  const cluster = findCluster(ctx, clusterRef);
  return Object.values(stateOf(ctx).services)
    .filter((s) => s.clusterArn === cluster.clusterArn && s.status === "ACTIVE")
    .map((s) => s.serviceArn);
}

function propagateTagsOf(value: string | undefined): ServiceRecord["propagateTags"] {
  const propagateTags = value ?? "NONE";
  if (propagateTags !== "TASK_DEFINITION" && propagateTags !== "SERVICE" && propagateTags !== "NONE") {
    throw invalid("propagateTags must be TASK_DEFINITION, SERVICE or NONE.");
  }
  return propagateTags;
}

function activeTaskDefinition(ctx: ModelContext, ref: string | undefined): TaskDefinitionRecord {
  const td = findTaskDefinition(ctx, ref);
  if (td.status !== "ACTIVE") {
    throw new AwsError("ClientException", `TaskDefinition is inactive (${td.family}:${td.revision}).`);
  }
  return td;
}

function checkLoadBalancers(
  loadBalancers: ServiceRecord["loadBalancers"],
  td: TaskDefinitionRecord,
  targetGroupExists: TargetGroupCheck,
): void {
  checkLoadBalancersMatch(loadBalancers, td);
  for (const lb of loadBalancers) {
    if (!targetGroupExists(lb.targetGroupArn)) {
      throw invalid(`Unable to find the target group ${lb.targetGroupArn}.`);
    }
  }
}

/** A new PRIMARY deployment of `td`; the previous ones become ACTIVE and are scaled in by the scheduler. */
export function startDeployment(
  ctx: ModelContext,
  service: ServiceRecord,
  td: TaskDefinitionRecord,
  rollbackOf?: DeploymentRecord,
): DeploymentRecord {
  const now = nowSeconds(ctx);
  const state = stateOf(ctx);
  const clusterName = service.clusterArn.slice(service.clusterArn.lastIndexOf("/") + 1);
  const id = newDeploymentId();
  const revisionArn = serviceRevisionArn(ctx.partition, clusterName, service.serviceName, newShortId());
  const sdArn =
    rollbackOf?.serviceDeploymentArn ??
    serviceDeploymentArn(ctx.partition, clusterName, service.serviceName, newShortId());
  const previous = service.deployments.filter((d) => d.status === "PRIMARY");
  const blue = rollbackOf ? undefined : shiftSource(service);
  for (const d of previous) {
    d.status = "ACTIVE";
    d.updatedAt = now;
    const sd = state.serviceDeployments[d.serviceDeploymentArn];
    if (!rollbackOf && sd && isOpen(sd.status)) {
      supersedeShift(ctx, service, sd);
      Object.assign(sd, {
        status: "STOPPED",
        statusReason: "Superseded by a newer service deployment.",
        stoppedAt: now,
        updatedAt: now,
      });
    }
  }
  const deployment: DeploymentRecord = {
    id,
    status: "PRIMARY",
    taskDefinition: td.taskDefinitionArn,
    desiredCount: service.desiredCount,
    pendingCount: 0,
    runningCount: 0,
    failedTasks: 0,
    createdAt: now,
    updatedAt: now,
    rolloutState: "IN_PROGRESS",
    rolloutStateReason: `ECS deployment ${id} in progress.`,
    serviceDeploymentArn: sdArn,
    serviceRevisionArn: revisionArn,
    ...(rollbackOf ? { rollbackOf: rollbackOf.id } : {}),
    targetGroups: liveTargetGroups(service),
  };
  service.deployments.unshift(deployment);
  state.serviceRevisions ??= {};
  state.serviceRevisions[revisionArn] = {
    serviceRevisionArn: revisionArn,
    serviceArn: service.serviceArn,
    clusterArn: service.clusterArn,
    taskDefinition: td.taskDefinitionArn,
    loadBalancers: structuredClone(service.loadBalancers),
    createdAt: now,
  };
  service.taskDefinition = td.taskDefinitionArn;
  service.steady = false;
  if (!rollbackOf) {
    state.serviceDeployments[sdArn] = {
      serviceDeploymentArn: sdArn,
      serviceArn: service.serviceArn,
      clusterArn: service.clusterArn,
      deploymentId: id,
      createdAt: now,
      startedAt: now,
      updatedAt: now,
      status: "IN_PROGRESS",
      targetServiceRevisionArn: revisionArn,
      targetTaskDefinition: td.taskDefinitionArn,
      sourceServiceRevisionArns: previous.map((d) => d.serviceRevisionArn),
      deploymentConfiguration: structuredClone(service.deploymentConfiguration),
    };
    const sd = state.serviceDeployments[sdArn];
    if (blue && sd) beginShift(ctx, service, deployment, blue, sd);
  }
  return deployment;
}

export function isOpen(status: string): boolean {
  return ["PENDING", "IN_PROGRESS", "ROLLBACK_REQUESTED", "ROLLBACK_IN_PROGRESS", "STOP_REQUESTED"].includes(
    status,
  );
}

/**
 * Rolls a failed deployment back to the task definition of the last deployment that completed, as
 * ECS's circuit breaker and StopServiceDeployment(ROLLBACK) do. Returns the new deployment, or
 * undefined when there is nothing to go back to.
 */
export function rollBack(
  ctx: ModelContext,
  service: ServiceRecord,
  failed: DeploymentRecord,
  reason: string,
): DeploymentRecord | undefined {
  const target = service.lastCompletedTaskDefinition;
  if (!target || target === failed.taskDefinition) return undefined;
  const td = stateOf(ctx).taskDefinitions[target.slice(target.indexOf("task-definition/") + 16)];
  if (!td) return undefined;
  const deployment = startDeployment(ctx, service, td, failed);
  const sd = stateOf(ctx).serviceDeployments[failed.serviceDeploymentArn];
  if (sd) {
    const now = nowSeconds(ctx);
    sd.status = "ROLLBACK_IN_PROGRESS";
    sd.statusReason = reason;
    sd.updatedAt = now;
    sd.rollback = {
      reason,
      startedAt: now,
      serviceRevisionArn: service.lastCompletedRevisionArn ?? deployment.serviceRevisionArn,
    };
  }
  addEvent(ctx, service, eventMessages.rollingBack(service.serviceName, deployment.id));
  return deployment;
}
