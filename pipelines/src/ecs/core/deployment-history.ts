import {
  describeServiceDeployments,
  listServiceDeployments,
  revisionTaskDefinitions,
  serviceDeploymentView,
} from "../aws/service-deployments.js";
import { familyRevision } from "../model/revision-tags.js";
import { failureExplanation } from "../model/service-deployment.js";
import type { Context } from "./context.js";

/** One row of `ecs status`'s service deployment history. */
export interface HistoryEntry {
  serviceDeploymentArn: string;
  status: string;
  stage?: string | undefined;
  taskDefinition?: string | undefined;
  startedAt?: string | undefined;
  finishedAt?: string | undefined;
  reason?: string | undefined;
}

export const HISTORY_LIMIT = 10;

/**
 * The service's last deployments, newest first: ListServiceDeployments for the ARNs, then
 * DescribeServiceDeployments and DescribeServiceRevisions for the details. Where the API isn't there
 * (an older endpoint), the history is empty and says why.
 */
export async function deploymentHistory(
  ctx: Context,
  cluster: string,
  service: string,
): Promise<{ entries: HistoryEntry[]; unavailable?: string }> {
  try {
    const briefs = await listServiceDeployments(ctx.clients.ecs, cluster, service, { limit: HISTORY_LIMIT });
    const arns = briefs.map((b) => b.serviceDeploymentArn).filter((a): a is string => Boolean(a));
    if (arns.length === 0) return { entries: [] };
    const views = (await describeServiceDeployments(ctx.clients.ecs, arns)).map(serviceDeploymentView);
    const revisions = await revisionTaskDefinitions(
      ctx.clients.ecs,
      views.map((v) => v.target?.arn).filter((a): a is string => Boolean(a)),
    ).catch(() => new Map<string, string>());
    const byArn = new Map(views.map((v) => [v.arn, v]));
    const entries = arns.flatMap((arn) => {
      const v = byArn.get(arn);
      if (!v) return [];
      const td = v.target ? revisions.get(v.target.arn) : undefined;
      const failed = !["SUCCESSFUL", "IN_PROGRESS", "PENDING"].includes(v.status);
      return [
        {
          serviceDeploymentArn: arn,
          status: v.status,
          stage: v.stage,
          taskDefinition: td ? familyRevision(td) : undefined,
          startedAt: (v.startedAt ?? v.createdAt)?.toISOString(),
          finishedAt: v.finishedAt?.toISOString(),
          reason: failed ? failureExplanation(v) : v.statusReason,
        },
      ];
    });
    return { entries };
  } catch (error) {
    return { entries: [], unavailable: `${(error as Error).name}` };
  }
}

export function historyLines(entries: HistoryEntry[]): string[] {
  if (entries.length === 0) return [];
  const lines = ["  service deployments (newest first):"];
  for (const e of entries) {
    const id = e.serviceDeploymentArn.slice(e.serviceDeploymentArn.lastIndexOf("/") + 1);
    const when = `${e.startedAt ?? "-"} → ${e.finishedAt ?? "…"}`;
    const reason = e.reason ? ` | ${e.reason}` : "";
    lines.push(
      `    ${e.status.padEnd(19)} ${(e.stage ?? "-").padEnd(29)} ${e.taskDefinition ?? "-"} ${id} ${when}${reason}`,
    );
  }
  return lines;
}
