import type { ModelContext } from "./model/context.js";
import { serviceDeploymentProgress } from "./model/service-deployments.js";
import type {
  ClusterRecord,
  DeploymentRecord,
  ServiceDeploymentRecord,
  ServiceRecord,
  TaskDefinitionRecord,
  TaskRecord,
} from "./model/types.js";

// Records → the JSON ECS returns: internal bookkeeping fields are left out, counts are derived.

export function formatCluster(ctx: ModelContext, c: ClusterRecord) {
  const state = ctx.durable.state;
  const tasks = Object.values(state.tasks).filter(
    (t) => t.clusterArn === c.clusterArn && t.lastStatus !== "STOPPED",
  );
  return {
    clusterArn: c.clusterArn,
    clusterName: c.clusterName,
    status: c.status,
    registeredContainerInstancesCount: c.status === "ACTIVE" ? 1 : 0,
    runningTasksCount: tasks.filter((t) => t.lastStatus === "RUNNING").length,
    pendingTasksCount: tasks.filter((t) => t.lastStatus !== "RUNNING").length,
    activeServicesCount: Object.values(state.services).filter(
      (s) => s.clusterArn === c.clusterArn && s.status === "ACTIVE",
    ).length,
    statistics: [],
    tags: state.tags[c.clusterArn] ?? [],
    settings: [{ name: "containerInsights", value: "disabled" }],
    capacityProviders: [],
    defaultCapacityProviderStrategy: [],
  };
}

export function formatTaskDefinition(td: TaskDefinitionRecord) {
  return { ...td, volumes: [], placementConstraints: [], requiresAttributes: [] };
}

function formatDeployment(d: DeploymentRecord) {
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

export function formatService(ctx: ModelContext, s: ServiceRecord) {
  const live = Object.values(ctx.durable.state.tasks).filter(
    (t) =>
      t.clusterArn === s.clusterArn &&
      t.serviceName === s.serviceName &&
      t.desiredStatus === "RUNNING" &&
      t.lastStatus !== "STOPPED",
  );
  const running = live.filter((t) => t.lastStatus === "RUNNING").length;
  return {
    serviceArn: s.serviceArn,
    serviceName: s.serviceName,
    clusterArn: s.clusterArn,
    loadBalancers: s.loadBalancers,
    serviceRegistries: [],
    status: s.status,
    desiredCount: s.desiredCount,
    runningCount: running,
    pendingCount: live.length - running,
    launchType: s.launchType,
    taskDefinition: s.taskDefinition,
    deploymentConfiguration: s.deploymentConfiguration,
    deployments: s.deployments.map(formatDeployment),
    events: s.events,
    createdAt: s.createdAt,
    placementConstraints: [],
    placementStrategy: [],
    ...(s.healthCheckGracePeriodSeconds !== undefined
      ? { healthCheckGracePeriodSeconds: s.healthCheckGracePeriodSeconds }
      : {}),
    schedulingStrategy: s.schedulingStrategy,
    deploymentController: { type: "ECS" },
    createdBy: `arn:aws:iam::${ctx.partition.accountId}:root`,
    enableECSManagedTags: s.enableECSManagedTags,
    propagateTags: s.propagateTags,
    enableExecuteCommand: false,
    tags: ctx.durable.state.tags[s.serviceArn] ?? [],
  };
}

export function formatTask(ctx: ModelContext, t: TaskRecord, withTags: boolean) {
  const { targets: _targets, serviceName: _service, deploymentId: _deployment, containers, ...task } = t;
  return {
    ...task,
    attachments: [],
    availabilityZone: `${ctx.partition.region}a`,
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
    ...(withTags ? { tags: ctx.durable.state.tags[t.taskArn] ?? [] } : {}),
  };
}

export function formatServiceDeploymentBrief(sd: ServiceDeploymentRecord) {
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

export function formatServiceDeployment(ctx: ModelContext, sd: ServiceDeploymentRecord) {
  const p = serviceDeploymentProgress(ctx, sd);
  return {
    ...formatServiceDeploymentBrief(sd),
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
  };
}
