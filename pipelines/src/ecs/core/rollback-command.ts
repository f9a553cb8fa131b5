import type { DeployResult } from "../model/result.js";
import { familyRevision } from "../model/revision-tags.js";
import { canStopWithRollback } from "../model/service-deployment.js";
import { shiftsTraffic, strategyOf } from "../model/strategy.js";
import type { Context } from "./context.js";
import { stoppedTaskCauses } from "./failure-cause.js";
import { openServiceDeployment } from "./open-deployment.js";
import { rollbackTarget } from "./rollback-target.js";
import { stopShiftWithRollback } from "./stop-shift.js";
import { startDeployment, watchDeployment } from "./watch.js";

/**
 * `ecs rollback`, asked for by hand: points the service at the rollback target (rollback-target.ts)
 * and waits for the verdict by the same rules as a deploy. If that deployment fails, nothing more
 * is tried: the result says so (exit 2), with the stopped tasks' causes. (The rollback a failed
 * deploy does on its own: roll-back-failed-deploy.ts.) On a BLUE_GREEN / CANARY / LINEAR service
 * whose deployment is still open (baking), the rollback is ECS's own instead (stop-shift.ts).
 */
export async function rollbackService(
  ctx: Context,
  options: { cluster: string; service: string; to?: string; timeoutSeconds: number },
): Promise<DeployResult> {
  const startedAt = ctx.clock.now();
  const { cluster, service } = options;
  const during = options.to ? undefined : await openShift(ctx, cluster, service);
  if (during) return stopShiftWithRollback(ctx, options, during.service, during.open);
  const target = await rollbackTarget(ctx, cluster, service, options.to);
  ctx.reporter.info(
    `Rolling back ${service} from ${familyRevision(target.servingArn)} to ${familyRevision(target.arn)}`,
  );
  const tracked = await startDeployment(ctx, cluster, service, target.arn);
  const verdict = await watchDeployment(ctx, cluster, service, tracked, options.timeoutSeconds);
  const result = (outcome: Pick<DeployResult, "outcome" | "exitCode"> & Partial<DeployResult>) => ({
    command: "rollback" as const,
    cluster,
    service,
    previousTaskDefinition: target.servingArn,
    taskDefinition: target.arn,
    images: [],
    changes: [],
    stoppedTasks: [],
    ...outcome,
    elapsedSeconds: Math.round((ctx.clock.now().getTime() - startedAt.getTime()) / 1000),
  });
  const { deploymentId } = tracked;
  if (verdict.kind === "succeeded") {
    const success = { rule: verdict.rule, explanation: verdict.explanation };
    return result({ outcome: "deployed", exitCode: 0, deploymentId, success });
  }
  const failure = { reason: verdict.reason, explanation: verdict.explanation };
  const stoppedTasks = await stoppedTaskCauses(ctx, cluster, service, tracked, target.taskDefinition);
  return result({ outcome: "rollback-failed", exitCode: 2, deploymentId, failure, stoppedTasks });
}

/** The open deployment of a traffic-shifting service that StopServiceDeployment can still roll back. */
async function openShift(ctx: Context, cluster: string, service: string) {
  const found = await ctx.ecs.service(cluster, service);
  if (!shiftsTraffic(strategyOf(found.deploymentConfiguration))) return undefined;
  const open = await openServiceDeployment(ctx, cluster, found);
  return open && canStopWithRollback(open) ? { service: found, open } : undefined;
}
