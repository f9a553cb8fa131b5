import { revisionsToDeregister } from "../model/revisions.js";
import type { Context } from "./context.js";

/**
 * After a good deploy: keep the newest `keep` revisions of the family ACTIVE and deregister the
 * rest, never the serving revision or its rollback target. A failure here is a warning: the
 * deploy itself succeeded.
 */
export async function pruneRevisions(
  ctx: Context,
  { family, keep, protect }: { family: string; keep: number; protect: string[] },
): Promise<string[]> {
  try {
    const active = await ctx.ecs.activeRevisions(family);
    const doomed = revisionsToDeregister(active, keep, protect);
    for (const arn of doomed) await ctx.ecs.deregister(arn);
    if (doomed.length > 0)
      ctx.reporter.info(`Deregistered ${doomed.length} old revision(s) of ${family} (keeping ${keep})`);
    return doomed;
  } catch (error) {
    ctx.reporter.warn(`could not deregister old revisions of ${family}: ${(error as Error).message}`);
    return [];
  }
}
