import type { TaskDefinition } from "@aws-sdk/client-ecs";
import { UsageError } from "../model/errors.js";
import { familyRevision, PREVIOUS_TAG, tagValue } from "../model/revision-tags.js";
import type { Context } from "./context.js";

export interface RollbackTarget {
  /** The revision serving now, which the rollback leaves. */
  servingArn: string;
  /** The revision to go back to. */
  arn: string;
  taskDefinition: TaskDefinition;
}

/**
 * Where `ecs rollback` goes: `--to` when given, else the revision the serving one records as what
 * served before it (`ecs-deploy:previous`, written by the deploy that registered it; not merely
 * revision N-1). It must still be ACTIVE: ECS can't start a deployment of an INACTIVE revision.
 */
export async function rollbackTarget(
  ctx: Context,
  cluster: string,
  service: string,
  to: string | undefined,
): Promise<RollbackTarget> {
  const found = await ctx.ecs.service(cluster, service);
  const servingArn = found.taskDefinition ?? "";
  const serving = await ctx.ecs.taskDefinition(servingArn);
  const target = to ?? tagValue(serving.tags, PREVIOUS_TAG);
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
  return { servingArn, arn: taskDefinition.taskDefinitionArn ?? target, taskDefinition };
}
