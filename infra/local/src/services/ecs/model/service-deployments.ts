import { AwsError } from "../../../contracts.js";
import { rollBackShift } from "./blue-green.js";
import { findCluster, findService, lookUp, type ModelContext, nowSeconds, stateOf } from "./context.js";
import { failureThreshold } from "./rollout.js";
import { isOpen, rollBack } from "./services.js";
import type { Failure, ServiceDeploymentRecord, ServiceRecord } from "./types.js";
import { invalid } from "./validation.js";

// The ServiceDeployment view (ListServiceDeployments, DescribeServiceDeployments,
// StopServiceDeployment) over the same deployments the service's `deployments` list shows.

export interface ListServiceDeploymentsInput {
  cluster?: string | undefined;
  service?: string | undefined;
  status?: string[] | undefined;
}

export interface StopServiceDeploymentInput {
  serviceDeploymentArn?: string | undefined;
  stopType?: string | undefined;
}

export function listServiceDeployments(
  ctx: ModelContext,
  input: ListServiceDeploymentsInput,
): ServiceDeploymentRecord[] {
  const cluster = findCluster(ctx, input.cluster);
  const service = findService(ctx, cluster, input.service);
  const statuses = input.status;
  // Newest first; among equal timestamps the later one (insertion order) first.
  return Object.values(stateOf(ctx).serviceDeployments)
    .reverse()
    .filter((sd) => sd.serviceArn === service.serviceArn)
    .filter((sd) => statuses === undefined || statuses.includes(sd.status))
    .sort((a, b) => b.createdAt - a.createdAt);
}

export function findServiceDeployment(ctx: ModelContext, arn: string): ServiceDeploymentRecord | undefined {
  return stateOf(ctx).serviceDeployments[arn];
}

export function describeServiceDeployments(
  ctx: ModelContext,
  arns: string[],
): { serviceDeployments: ServiceDeploymentRecord[]; failures: Failure[] } {
  const { found, failures } = lookUp(arns, (arn) => findServiceDeployment(ctx, arn));
  return { serviceDeployments: found, failures };
}

/** Live counts and circuit breaker numbers of a service deployment, for DescribeServiceDeployments. */
export function serviceDeploymentProgress(ctx: ModelContext, sd: ServiceDeploymentRecord) {
  const service = stateOf(ctx).services[sd.serviceArn];
  const deployment =
    service?.deployments.find((d) => d.serviceDeploymentArn === sd.serviceDeploymentArn && !d.rollbackOf) ??
    service?.deployments.find((d) => d.id === sd.deploymentId);
  const breaker = sd.deploymentConfiguration.deploymentCircuitBreaker;
  return {
    requestedTaskCount: deployment?.desiredCount ?? 0,
    runningTaskCount: deployment?.runningCount ?? 0,
    pendingTaskCount: deployment?.pendingCount ?? 0,
    failureCount: deployment?.failedTasks ?? 0,
    threshold: failureThreshold(service?.desiredCount ?? 0),
    breakerStatus: !breaker.enable
      ? "DISABLED"
      : deployment?.rolloutState === "FAILED"
        ? "TRIGGERED"
        : isOpen(sd.status)
          ? "MONITORING"
          : "MONITORING_COMPLETE",
  };
}

export function stopServiceDeployment(
  ctx: ModelContext,
  input: StopServiceDeploymentInput,
): ServiceDeploymentRecord {
  const arn = input.serviceDeploymentArn;
  if (!arn) throw invalid("serviceDeploymentArn is required.");
  const stopType = input.stopType ?? "ROLLBACK";
  if (stopType !== "ROLLBACK" && stopType !== "ABORT") throw invalid("stopType must be ROLLBACK or ABORT.");
  const sd = findServiceDeployment(ctx, arn);
  if (!sd) throw new AwsError("ServiceDeploymentNotFoundException", "The service deployment does not exist.");
  if (!isOpen(sd.status) || sd.status === "ROLLBACK_IN_PROGRESS") {
    throw new AwsError("ConflictException", `The service deployment is ${sd.status} and can't be stopped.`);
  }
  const service = stateOf(ctx).services[sd.serviceArn] as ServiceRecord;
  const deployment = service.deployments.find((d) => d.id === sd.deploymentId);
  if (deployment?.status !== "PRIMARY") {
    throw new AwsError(
      "ConflictException",
      "The service deployment is no longer the service's primary deployment.",
    );
  }
  if (sd.shift) {
    if (stopType === "ABORT") {
      throw invalid(
        "stopType ABORT would leave production traffic split between two revisions; a blue/green, canary or linear deployment stops with stopType ROLLBACK.",
      );
    }
    rollBackShift(
      ctx,
      service,
      sd,
      "Service deployment rolled back because of a StopServiceDeployment request.",
    );
    return sd;
  }
  const now = nowSeconds(ctx);
  if (stopType === "ROLLBACK") {
    if (
      !service.lastCompletedTaskDefinition ||
      service.lastCompletedTaskDefinition === deployment.taskDefinition
    ) {
      throw new AwsError("ConflictException", "There is no completed service deployment to roll back to.");
    }
    deployment.rolloutState = "FAILED";
    deployment.rolloutStateReason = "Stopped by a StopServiceDeployment request.";
    rollBack(
      ctx,
      service,
      deployment,
      "Service deployment rolled back because of a StopServiceDeployment request.",
    );
  } else {
    deployment.rolloutState = "FAILED";
    deployment.rolloutStateReason = "Stopped by a StopServiceDeployment request.";
    Object.assign(sd, {
      status: "STOPPED",
      statusReason: "Stopped by a StopServiceDeployment request.",
      stoppedAt: now,
      finishedAt: now,
      updatedAt: now,
    });
  }
  return sd;
}

/** DescribeServiceRevisions: each revision a deployment of the service started. */
export function describeServiceRevisions(ctx: ModelContext, arns: string[]) {
  const { found, failures } = lookUp(arns, (arn) => stateOf(ctx).serviceRevisions?.[arn]);
  return { serviceRevisions: found, failures };
}
