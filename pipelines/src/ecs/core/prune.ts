import { revisionsToDeregister } from "../model/revisions.js";
import type { Context } from "./context.js";

/**
 * After a good deploy: keep the newest `keep` revisions of the family ACTIVE and deregister the
 * rest, never the serving revision, its rollback target, nor a revision a running task of the
 * service still uses (blue during a blue/green bake, another deploy's green). When what is in
 * use can't be read, nothing is deregistered. A failure here is a warning: the deploy succeeded.
 */
export async function pruneRevisions(
  ctx: Context,
  {
    cluster,
    service,
    family,
    keep,
    protect,
  }: { cluster: string; service: string; family: string; keep: number; protect: string[] },
): Promise<string[]> {
  try {
    const inUse = await revisionsInUse(ctx, cluster, service);
    const active = await ctx.ecs.activeRevisions(family);
    const doomed = revisionsToDeregister(active, keep, [...protect, ...inUse]);
    for (const arn of doomed) await ctx.ecs.deregister(arn);
    if (doomed.length > 0)
      ctx.reporter.info(`Deregistered ${doomed.length} old revision(s) of ${family} (keeping ${keep})`);
    return doomed;
  } catch (error) {
    ctx.reporter.warn(`could not deregister old revisions of ${family}: ${(error as Error).message}`);
    return [];
  }
}

/**
 * The revisions the service's tasks run right now: every live deployment (blue while green bakes, a
 * deployment someone else started) has its tasks among them.
 */
async function revisionsInUse(ctx: Context, cluster: string, service: string): Promise<string[]> {
  const arns = await ctx.ecs.taskArns(cluster, service, "RUNNING");
  const tasks = arns.length > 0 ? await ctx.ecs.tasks(cluster, arns) : [];
  return tasks.map((t) => t.taskDefinitionArn ?? "").filter(Boolean);
}
