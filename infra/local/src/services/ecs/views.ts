import type { ContainerInstance, EcsModel } from "./model/ecs-model.js";
import { isOpen } from "./model/services.js";
import type {
  ClusterRecord,
  DeploymentRecord,
  ServiceDeploymentRecord,
  ServiceRecord,
  TaskDefinitionRecord,
  TaskRecord,
} from "./model/types.js";

// Records in the JSON ECS returns: internal bookkeeping fields are left out, counts come from the
// model's queries.

export function clusterView(model: EcsModel, c: ClusterRecord) {
  const stats = model.clusterStats(c);
  return {
    clusterArn: c.clusterArn,
    clusterName: c.clusterName,
    status: c.status,
    registeredContainerInstancesCount: c.status === "ACTIVE" ? 1 : 0,
    runningTasksCount: stats.running,
    pendingTasksCount: stats.pending,
    activeServicesCount: stats.activeServices,
    statistics: [],
    tags: model.tagsRecorded(c.clusterArn),
    settings: [{ name: "containerInsights", value: "disabled" }],
    capacityProviders: [],
    defaultCapacityProviderStrategy: [],
  };
}

export function taskDefinitionView(td: TaskDefinitionRecord) {
  return { ...td, volumes: [], placementConstraints: [], requiresAttributes: [] };
}

function deploymentView(d: DeploymentRecord) {
  return {
    id: d.id,
    status: d.status,
    taskDefinition: d.taskDefinition,
    desiredCount: d.desiredCount,
    pendingCount: d.pendingCount,
    runningCount: d.runningCount,
    failedTasks: d.failedTasks,
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
    launchType: "EC2",
    rolloutState: d.rolloutState,
    rolloutStateReason: d.rolloutStateReason,
  };
}

export function serviceView(model: EcsModel, s: ServiceRecord) {
  const counts = model.serviceCounts(s);
  return {
    serviceArn: s.serviceArn,
    serviceName: s.serviceName,
    clusterArn: s.clusterArn,
    loadBalancers: s.loadBalancers,
    serviceRegistries: [],
    status: s.status,
    desiredCount: s.desiredCount,
    runningCount: counts.running,
    pendingCount: counts.pending,
    launchType: s.launchType,
    taskDefinition: s.taskDefinition,
    deploymentConfiguration: { strategy: "ROLLING", ...s.deploymentConfiguration },
    deployments: s.deployments.map(deploymentView),
    events: s.events,
    createdAt: s.createdAt,
    placementConstraints: [],
    placementStrategy: [],
    ...(s.healthCheckGracePeriodSeconds !== undefined
      ? { healthCheckGracePeriodSeconds: s.healthCheckGracePeriodSeconds }
      : {}),
    schedulingStrategy: s.schedulingStrategy,
    deploymentController: { type: "ECS" },
    createdBy: `arn:aws:iam::${model.ctx.partition.accountId}:root`,
    enableECSManagedTags: s.enableECSManagedTags,
    propagateTags: s.propagateTags,
    enableExecuteCommand: false,
    tags: model.tagsRecorded(s.serviceArn),
  };
}

export function taskView(model: EcsModel, t: TaskRecord, withTags: boolean) {
  const { targets: _targets, serviceName: _service, deploymentId: _deployment, containers, ...task } = t;
  return {
    ...task,
    attachments: [],
    availabilityZone: `${model.ctx.partition.region}a`,
    connectivity: t.lastStatus === "STOPPED" ? "DISCONNECTED" : "CONNECTED",
    containers: containers.map(
      ({
        pid: _pid,
        pidStartTicks: _ticks,
        essential: _essential,
        memory,
        memoryReservation,
        cpu,
        ...c
      }) => ({
        ...c,
        taskArn: t.taskArn,
        ...(memory !== undefined ? { memory: String(memory) } : {}),
        ...(memoryReservation !== undefined ? { memoryReservation: String(memoryReservation) } : {}),
        ...(cpu !== undefined ? { cpu: String(cpu) } : {}),
      }),
    ),
    ...(withTags ? { tags: model.tagsRecorded(t.taskArn) } : {}),
  };
}

export function serviceDeploymentBriefView(sd: ServiceDeploymentRecord) {
  return {
    serviceDeploymentArn: sd.serviceDeploymentArn,
    serviceArn: sd.serviceArn,
    clusterArn: sd.clusterArn,
    createdAt: sd.createdAt,
    startedAt: sd.startedAt,
    ...(sd.finishedAt !== undefined ? { finishedAt: sd.finishedAt } : {}),
    targetServiceRevisionArn: sd.targetServiceRevisionArn,
    status: sd.status,
    ...(sd.statusReason ? { statusReason: sd.statusReason } : {}),
  };
}

export function serviceDeploymentView(model: EcsModel, sd: ServiceDeploymentRecord) {
  const p = model.serviceDeploymentProgress(sd);
  return {
    ...serviceDeploymentBriefView(sd),
    updatedAt: sd.updatedAt,
    ...(sd.stoppedAt !== undefined ? { stoppedAt: sd.stoppedAt } : {}),
    sourceServiceRevisions: sd.sourceServiceRevisionArns.map((arn) => ({ arn, requestedTaskCount: 0 })),
    targetServiceRevision: {
      arn: sd.targetServiceRevisionArn,
      requestedTaskCount: p.requestedTaskCount,
      runningTaskCount: p.runningTaskCount,
      pendingTaskCount: p.pendingTaskCount,
    },
    deploymentConfiguration: sd.deploymentConfiguration,
    deploymentCircuitBreaker: {
      status: p.breakerStatus,
      failureCount: p.failureCount,
      threshold: p.threshold,
    },
    ...(sd.rollback ? { rollback: sd.rollback } : {}),
    ...alarmsView(sd),
    ...shiftView(sd),
  };
}

/** Where a blue/green, canary or linear deployment stands, and its PAUSE hooks. */
function shiftView(sd: ServiceDeploymentRecord) {
  const shift = sd.shift;
  if (!shift) return {};
  return {
    lifecycleStage: shift.stage,
    lifecycleHookDetails: shift.hooks.map((h) => ({
      hookId: h.hookId,
      targetType: h.targetType,
      status: h.status,
      expiresAt: h.expiresAt,
      timeoutAction: h.timeoutAction,
    })),
  };
}

/** ServiceDeploymentAlarms: what the deployment's alarms did, when it has them. */
function alarmsView(sd: ServiceDeploymentRecord) {
  const alarms = sd.deploymentConfiguration.alarms;
  if (!alarms) return {};
  const triggered = sd.triggeredAlarmNames ?? [];
  const status = !alarms.enable
    ? "DISABLED"
    : triggered.length > 0
      ? "TRIGGERED"
      : isOpen(sd.status)
        ? "MONITORING"
        : "MONITORING_COMPLETE";
  return { alarms: { status, alarmNames: alarms.alarmNames, triggeredAlarmNames: triggered } };
}

export function containerInstanceView(instance: ContainerInstance) {
  return {
    containerInstanceArn: instance.arn,
    ec2InstanceId: instance.ec2InstanceId,
    status: "ACTIVE",
    agentConnected: true,
    runningTasksCount: instance.runningTasksCount,
    pendingTasksCount: instance.pendingTasksCount,
    registeredAt: instance.registeredAt,
    versionInfo: { agentVersion: "local", agentHash: "local", dockerVersion: "none (processes)" },
    attributes: [{ name: "ecs.os-type", value: "linux" }],
  };
}
