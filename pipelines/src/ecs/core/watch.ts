import type { DeploymentConfiguration } from "@aws-sdk/client-ecs";
import { isTransient } from "../aws/retry.js";
import { primaryDeployment, takeSnapshot } from "../aws/snapshot.js";
import { decide, type Verdict } from "../model/deploy-verdict.js";
import { familyRevision } from "../model/revision-tags.js";
import { sameRevision } from "../model/revisions.js";
import type { Tracked } from "../model/snapshot.js";
import type { Context } from "./context.js";

export type FinalVerdict = Exclude<Verdict, { kind: "waiting" }>;

/**
 * Points the service at a revision and returns the deployment to follow: the PRIMARY one
 * UpdateService created, which must run that revision (never "the service" as a whole).
 */
export async function startDeployment(
  ctx: Context,
  cluster: string,
  service: string,
  taskDefinition: string,
  deploymentConfiguration?: DeploymentConfiguration,
): Promise<Tracked> {
  const updated = await ctx.ecs.updateTaskDefinition(
    cluster,
    service,
    taskDefinition,
    deploymentConfiguration,
  );
  const primary = primaryDeployment(updated);
  if (!primary?.id || !sameRevision(primary.taskDefinition ?? "", taskDefinition)) {
    throw new Error(`UpdateService returned no PRIMARY deployment of ${familyRevision(taskDefinition)}`);
  }
  return {
    deploymentId: primary.id,
    taskDefinition: primary.taskDefinition ?? taskDefinition,
    startedAt: ctx.clock.now(),
  };
}

/**
 * Looks at the service every ~2 s and applies the rules to what it sees, until they decide.
 * A look that fails for a transient reason (after the SDK's own retries) is skipped, not fatal:
 * the timeout still bounds the wait.
 */
export async function watchDeployment(
  ctx: Context,
  cluster: string,
  service: string,
  tracked: Tracked,
  timeoutSeconds: number,
): Promise<FinalVerdict> {
  let failedLooks = 0;
  for (;;) {
    try {
      const snapshot = await takeSnapshot(ctx.ecs, ctx.clients, cluster, service);
      failedLooks = 0;
      const verdict = decide(snapshot, tracked, ctx.clock.now(), timeoutSeconds, {
        ignoreEvents: ctx.ignoreWarnings,
      });
      ctx.reporter.progress(verdict.progress);
      if (verdict.kind !== "waiting") return verdict;
    } catch (error) {
      if (!isTransient(error)) throw error;
      failedLooks++;
      if (elapsedSeconds(ctx, tracked) >= timeoutSeconds) return timedOut(tracked, timeoutSeconds, error);
      if (failedLooks === 1)
        ctx.reporter.warn(`could not read the service (${(error as Error).name}); retrying`);
    }
    await ctx.clock.sleep(jittered(ctx.pollIntervalMs * Math.min(2 ** failedLooks, 8)));
  }
}

function elapsedSeconds(ctx: Context, tracked: Tracked): number {
  return (ctx.clock.now().getTime() - tracked.startedAt.getTime()) / 1000;
}

function jittered(ms: number): number {
  return Math.round(ms * (0.75 + Math.random() * 0.5));
}

function timedOut(tracked: Tracked, timeoutSeconds: number, error: unknown): FinalVerdict {
  return {
    kind: "failed",
    reason: "timeout",
    explanation: `no verdict after ${timeoutSeconds}s: the service could not be read (${(error as Error).name})`,
    progress: {
      deploymentId: tracked.deploymentId,
      rolloutState: "UNKNOWN",
      desired: 0,
      running: 0,
      pending: 0,
      failedTasks: 0,
      targets: { initial: 0, healthy: 0, unhealthy: 0, draining: 0 },
      elapsedSeconds: timeoutSeconds,
    },
  };
}
