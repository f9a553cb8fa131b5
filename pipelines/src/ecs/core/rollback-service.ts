import { primaryDeployment } from "../aws/snapshot.js";
import { UsageError } from "../model/errors.js";
import type { DeployResult } from "../model/result.js";
import { familyRevision, PREVIOUS_TAG, tagValue } from "../model/revision-tags.js";
import type { Context } from "./context.js";
import { stoppedTaskCauses } from "./failure-cause.js";
import { watchDeployment } from "./watch.js";

/**
 * `ecs rollback`: back to the revision that served before the last deploy, as recorded on the
 * serving revision by that deploy (not merely revision N-1), then wait for the verdict.
 */
export async function rollbackService(
  ctx: Context,
  options: { cluster: string; service: string; to?: string; timeoutSeconds: number },
): Promise<DeployResult> {
  const startedAt = ctx.clock.now();
  const { cluster, service } = options;
  const found = await ctx.ecs.service(cluster, service);
  const servingArn = found.taskDefinition ?? "";
  const serving = await ctx.ecs.taskDefinition(servingArn);
  const target = options.to ?? tagValue(serving.tags, PREVIOUS_TAG);
  if (!target) {
    throw new UsageError(
      `${familyRevision(servingArn)} records no previous revision (not deployed by ecs deploy?): pass --to family:revision`,
    );
  }
  const { taskDefinition } = await ctx.ecs.taskDefinition(target);
  if (taskDefinition.status !== "ACTIVE") {
    throw new UsageError(
      `the previous revision ${target} is ${taskDefinition.status}: it can no longer be deployed`,
    );
  }
  const targetArn = taskDefinition.taskDefinitionArn ?? target;
  const base = {
    command: "rollback" as const,
    cluster,
    service,
    previousTaskDefinition: servingArn,
    taskDefinition: targetArn,
    images: [],
    changes: [],
    stoppedTasks: [],
  };
  const elapsed = () => Math.round((ctx.clock.now().getTime() - startedAt.getTime()) / 1000);
  ctx.reporter.info(
    `Rolling back ${service} from ${familyRevision(servingArn)} to ${familyRevision(targetArn)}`,
  );
  const updated = await ctx.ecs.updateTaskDefinition(cluster, service, targetArn);
  const primary = primaryDeployment(updated);
  if (!primary?.id) throw new Error("UpdateService returned no PRIMARY deployment");
  const tracked = { deploymentId: primary.id, taskDefinition: targetArn, startedAt: ctx.clock.now() };
  const verdict = await watchDeployment(ctx, cluster, service, tracked, options.timeoutSeconds);
  if (verdict.kind === "succeeded") {
    return {
      ...base,
      outcome: "deployed",
      exitCode: 0,
      deploymentId: primary.id,
      success: { rule: verdict.rule, explanation: verdict.explanation },
      elapsedSeconds: elapsed(),
    };
  }
  return {
    ...base,
    outcome: "rollback-failed",
    exitCode: 2,
    deploymentId: primary.id,
    failure: { reason: verdict.reason, explanation: verdict.explanation },
    stoppedTasks: await stoppedTaskCauses(ctx, cluster, service, tracked, taskDefinition),
    elapsedSeconds: elapsed(),
  };
}
