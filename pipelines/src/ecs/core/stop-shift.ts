import type { Service } from "@aws-sdk/client-ecs";
import { revisionTaskDefinitions, stopServiceDeploymentWithRollback } from "../aws/service-deployments.js";
import type { DeployResult } from "../model/result.js";
import { familyRevision } from "../model/revision-tags.js";
import { type ServiceDeploymentView, stageIndex } from "../model/service-deployment.js";
import { strategyOf } from "../model/strategy.js";
import type { Context } from "./context.js";
import { followShift, trafficView } from "./follow-shift.js";

/**
 * `ecs rollback` while a BLUE_GREEN / CANARY / LINEAR deployment is still open (its bake, or any
 * stage before CLEAN_UP): StopServiceDeployment(ROLLBACK). Blue still runs, so ECS moves the
 * traffic back at once; this follows it to ROLLBACK_SUCCESSFUL and says how long that took.
 */
export async function stopShiftWithRollback(
  ctx: Context,
  options: { cluster: string; service: string; timeoutSeconds: number },
  service: Service,
  open: ServiceDeploymentView,
): Promise<DeployResult> {
  const strategy = strategyOf(service.deploymentConfiguration);
  const back = await sourceTaskDefinition(ctx, open);
  const traffic = await trafficView(ctx, service.loadBalancers ?? []);
  // Past the production shift the new version has production's weight, which trafficView reads as blue.
  const shifted = stageIndex(open.stage) >= stageIndex("PRODUCTION_TRAFFIC_SHIFT");
  const watched = shifted ? { ...traffic, blue: traffic.green, green: traffic.blue } : traffic;
  ctx.reporter.info(
    `Stopping ${strategy} service deployment ${open.arn} at ${open.stage ?? "?"} with a rollback${back ? ` to ${familyRevision(back)}` : ""}`,
  );
  const stoppedAt = ctx.clock.now();
  await stopServiceDeploymentWithRollback(ctx.clients.ecs, open.arn);
  const outcome = await followShift(ctx, {
    cluster: options.cluster,
    service: options.service,
    strategy,
    serviceDeploymentArn: open.arn,
    startedAt: stoppedAt,
    timeoutSeconds: options.timeoutSeconds,
    traffic: watched,
    rollbackAlarms: [],
  });
  const seconds = Math.round((ctx.clock.now().getTime() - stoppedAt.getTime()) / 1000);
  const result: DeployResult = {
    command: "rollback",
    outcome: "deployed",
    exitCode: 0,
    cluster: options.cluster,
    service: options.service,
    strategy,
    serviceDeploymentArn: open.arn,
    taskDefinition: back ?? "the previous revision",
    previousTaskDefinition: service.taskDefinition,
    images: [],
    changes: [],
    stoppedTasks: [],
    elapsedSeconds: seconds,
  };
  const status =
    outcome.kind === "failed" ? outcome.status : outcome.kind === "succeeded" ? "SUCCESSFUL" : "";
  if (status === "ROLLBACK_SUCCESSFUL") {
    return {
      ...result,
      success: {
        rule: "rollback-successful",
        explanation: `ECS reports ROLLBACK_SUCCESSFUL ${seconds}s after StopServiceDeployment`,
      },
    };
  }
  const explanation =
    outcome.kind === "failed" || outcome.kind === "timeout"
      ? outcome.explanation
      : `the service deployment ended ${status || "unexpectedly"}, not ROLLBACK_SUCCESSFUL`;
  return {
    ...result,
    outcome: "rollback-failed",
    exitCode: 2,
    failure: { reason: "service-deployment", explanation },
  };
}

/** The revision the rollback goes back to: the deployment's source service revision's task definition. */
async function sourceTaskDefinition(ctx: Context, open: ServiceDeploymentView): Promise<string | undefined> {
  if (open.sources.length === 0) return undefined;
  try {
    const byRevision = await revisionTaskDefinitions(ctx.clients.ecs, open.sources);
    return byRevision.get(open.sources[0]!);
  } catch {
    return undefined;
  }
}
