import {
  ContinueServiceDeploymentCommand,
  DescribeServiceDeploymentsCommand,
  DescribeServiceRevisionsCommand,
  type ECSClient,
  ListServiceDeploymentsCommand,
  type ServiceDeployment,
  type ServiceDeploymentBrief,
  StopServiceDeploymentCommand,
} from "@aws-sdk/client-ecs";
import type { ServiceDeploymentView } from "../model/service-deployment.js";

// ECS's service-deployment API (ListServiceDeployments, DescribeServiceDeployments,
// DescribeServiceRevisions, ContinueServiceDeployment, StopServiceDeployment): thin calls and the
// views the rules read. Nothing here decides anything.

/** DescribeServiceDeployments and DescribeServiceRevisions take at most 20 ARNs a call. */
const ARNS_PER_CALL = 20;

/** The service's deployments, newest first, at most `limit`. */
export async function listServiceDeployments(
  ecs: ECSClient,
  cluster: string,
  service: string,
  options: { limit: number; status?: ServiceDeploymentBrief["status"][] },
): Promise<ServiceDeploymentBrief[]> {
  const briefs: ServiceDeploymentBrief[] = [];
  let nextToken: string | undefined;
  do {
    const page = await ecs.send(
      new ListServiceDeploymentsCommand({
        cluster,
        service,
        ...(options.status ? { status: options.status as never } : {}),
        maxResults: Math.min(100, Math.max(options.limit, 1)),
        nextToken,
      }),
    );
    briefs.push(...(page.serviceDeployments ?? []));
    nextToken = page.nextToken;
  } while (nextToken && briefs.length < options.limit);
  return briefs
    .sort((a, b) => (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0))
    .slice(0, options.limit);
}

export async function describeServiceDeployments(
  ecs: ECSClient,
  arns: readonly string[],
): Promise<ServiceDeployment[]> {
  const out: ServiceDeployment[] = [];
  for (let i = 0; i < arns.length; i += ARNS_PER_CALL) {
    const answer = await ecs.send(
      new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: arns.slice(i, i + ARNS_PER_CALL) }),
    );
    out.push(...(answer.serviceDeployments ?? []));
  }
  return out;
}

export async function describeServiceDeployment(
  ecs: ECSClient,
  arn: string,
): Promise<ServiceDeploymentView | undefined> {
  const [found] = await describeServiceDeployments(ecs, [arn]);
  return found ? serviceDeploymentView(found) : undefined;
}

/** Service revision ARN → its task definition ARN (DescribeServiceRevisions). */
export async function revisionTaskDefinitions(
  ecs: ECSClient,
  revisionArns: readonly string[],
): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  const unique = [...new Set(revisionArns)];
  for (let i = 0; i < unique.length; i += ARNS_PER_CALL) {
    const answer = await ecs.send(
      new DescribeServiceRevisionsCommand({ serviceRevisionArns: unique.slice(i, i + ARNS_PER_CALL) }),
    );
    for (const r of answer.serviceRevisions ?? []) {
      if (r.serviceRevisionArn && r.taskDefinition) found.set(r.serviceRevisionArn, r.taskDefinition);
    }
  }
  return found;
}

export async function continueServiceDeployment(
  ecs: ECSClient,
  serviceDeploymentArn: string,
  hookId: string,
  action: "CONTINUE" | "ROLLBACK",
): Promise<void> {
  await ecs.send(new ContinueServiceDeploymentCommand({ serviceDeploymentArn, hookId, action }));
}

export async function stopServiceDeploymentWithRollback(ecs: ECSClient, serviceDeploymentArn: string) {
  await ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn, stopType: "ROLLBACK" }));
}

export function serviceDeploymentView(d: ServiceDeployment): ServiceDeploymentView {
  const target = d.targetServiceRevision;
  return {
    arn: d.serviceDeploymentArn ?? "",
    status: d.status ?? "PENDING",
    statusReason: d.statusReason,
    stage: d.lifecycleStage,
    hooks: (d.lifecycleHookDetails ?? []).map((h) => ({
      hookId: h.hookId ?? "",
      targetType: h.targetType ?? "",
      status: h.status ?? "",
      expiresAt: h.expiresAt,
      timeoutAction: h.timeoutAction,
    })),
    pauseStages: (d.deploymentConfiguration?.lifecycleHooks ?? [])
      .filter((h) => h.targetType === "PAUSE")
      .flatMap((h) => h.lifecycleStages ?? []),
    createdAt: d.createdAt,
    startedAt: d.startedAt,
    finishedAt: d.finishedAt ?? d.stoppedAt,
    target: target?.arn
      ? { arn: target.arn, running: target.runningTaskCount ?? 0, requested: target.requestedTaskCount ?? 0 }
      : undefined,
    sources: (d.sourceServiceRevisions ?? []).map((s) => s.arn ?? "").filter(Boolean),
    bakeTimeInMinutes: d.deploymentConfiguration?.bakeTimeInMinutes,
    rollbackReason: d.rollback?.reason,
    alarms: d.alarms
      ? {
          status: d.alarms.status ?? "DISABLED",
          names: d.alarms.alarmNames ?? [],
          triggered: d.alarms.triggeredAlarmNames ?? [],
        }
      : undefined,
    circuitBreaker: d.deploymentCircuitBreaker
      ? {
          status: d.deploymentCircuitBreaker.status ?? "DISABLED",
          failureCount: d.deploymentCircuitBreaker.failureCount ?? 0,
          threshold: d.deploymentCircuitBreaker.threshold ?? 0,
        }
      : undefined,
  };
}
