import { takeSnapshot } from "../aws/snapshot.js";
import type { FailureReason } from "../model/deploy-verdict.js";
import type { DeployResult } from "../model/result.js";
import { familyRevision } from "../model/revision-tags.js";
import { sameRevision } from "../model/revisions.js";
import type { DeploymentView, Tracked } from "../model/snapshot.js";
import type { Context } from "./context.js";
import { startDeployment, watchDeployment } from "./watch.js";

export type RollbackReport = NonNullable<DeployResult["rollback"]>;

interface FailedDeploy {
  cluster: string;
  service: string;
  tracked: Tracked;
  reason: FailureReason;
  /** The revision that was serving before the deploy: where the service goes back to. */
  previous: string;
  timeoutSeconds: number;
}

// How long ECS gets to start its own circuit-breaker rollback before we start ours.
const ECS_ROLLBACK_GRACE_MS = 20_000;
const ROLLBACK_APPEAR_MS = 20_000;

/**
 * What `ecs deploy` does on its own when its deploy failed: puts the service back on the revision
 * that served before, and waits until that deployment has finished. ECS's own circuit-breaker
 * rollback is followed, not doubled; otherwise StopServiceDeployment(ROLLBACK) where the API has it,
 * else UpdateService to the previous revision. (`ecs rollback`, asked for by hand: rollback-command.ts.)
 */
export async function rollBackFailedDeploy(ctx: Context, failed: FailedDeploy): Promise<RollbackReport> {
  const { cluster, service, previous } = failed;
  try {
    const started = await startRollback(ctx, failed);
    ctx.reporter.info(
      `Rolling back to ${familyRevision(previous)} (${started.method}, deployment ${started.tracked.deploymentId})`,
    );
    const verdict = await watchDeployment(ctx, cluster, service, started.tracked, failed.timeoutSeconds);
    return verdict.kind === "succeeded"
      ? { method: started.method, to: previous, completed: true }
      : { method: started.method, to: previous, completed: false, explanation: verdict.explanation };
  } catch (error) {
    return { method: "UpdateService", to: previous, completed: false, explanation: (error as Error).message };
  }
}

async function startRollback(ctx: Context, failed: FailedDeploy) {
  const byEcs = await ecsRollback(ctx, failed);
  if (byEcs) return { method: "ECS circuit breaker" as const, tracked: trackedOf(ctx, byEcs) };
  if (await stopServiceDeployment(ctx, failed)) {
    const appeared = await waitForRollbackDeployment(ctx, failed, ROLLBACK_APPEAR_MS);
    if (appeared) return { method: "StopServiceDeployment" as const, tracked: trackedOf(ctx, appeared) };
  }
  const tracked = await startDeployment(ctx, failed.cluster, failed.service, failed.previous);
  return { method: "UpdateService" as const, tracked };
}

/** ECS rolls back by itself when the circuit breaker has rollback on: follow it, don't race it. */
async function ecsRollback(ctx: Context, failed: FailedDeploy): Promise<DeploymentView | undefined> {
  const snapshot = await takeSnapshot(ctx.ecs, ctx.clients, failed.cluster, failed.service);
  const existing = rollbackDeployment(snapshot.deployments, failed);
  if (existing) return existing;
  const ecsWillRollBack = snapshot.circuitBreaker.rollback && failed.reason === "rollout-failed";
  return ecsWillRollBack ? waitForRollbackDeployment(ctx, failed, ECS_ROLLBACK_GRACE_MS) : undefined;
}

function rollbackDeployment(deployments: DeploymentView[], failed: FailedDeploy): DeploymentView | undefined {
  return deployments.find(
    (d) =>
      d.status === "PRIMARY" &&
      d.id !== failed.tracked.deploymentId &&
      sameRevision(d.taskDefinition, failed.previous),
  );
}

async function waitForRollbackDeployment(
  ctx: Context,
  failed: FailedDeploy,
  withinMs: number,
): Promise<DeploymentView | undefined> {
  const until = ctx.clock.now().getTime() + withinMs;
  while (ctx.clock.now().getTime() < until) {
    await ctx.clock.sleep(ctx.pollIntervalMs);
    const snapshot = await takeSnapshot(ctx.ecs, ctx.clients, failed.cluster, failed.service);
    const found = rollbackDeployment(snapshot.deployments, failed);
    if (found) return found;
  }
  return undefined;
}

/** StopServiceDeployment(ROLLBACK) on our deployment; false where the API or the deployment isn't there. */
async function stopServiceDeployment(ctx: Context, failed: FailedDeploy): Promise<boolean> {
  try {
    const inProgress = await ctx.ecs.inProgressServiceDeployments(failed.cluster, failed.service);
    const ours = inProgress
      .filter(
        (d) =>
          (d.startedAt ?? d.createdAt ?? new Date(0)).getTime() >=
          failed.tracked.startedAt.getTime() - 60_000,
      )
      .sort((a, b) => (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0))[0];
    if (!ours?.serviceDeploymentArn) return false;
    await ctx.ecs.stopWithRollback(ours.serviceDeploymentArn);
    return true;
  } catch (error) {
    ctx.reporter.warn(`StopServiceDeployment unavailable (${(error as Error).name}); using UpdateService`);
    return false;
  }
}

function trackedOf(ctx: Context, deployment: DeploymentView): Tracked {
  return {
    deploymentId: deployment.id,
    taskDefinition: deployment.taskDefinition,
    startedAt: ctx.clock.now(),
  };
}
