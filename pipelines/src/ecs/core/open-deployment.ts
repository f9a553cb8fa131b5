import type { Service } from "@aws-sdk/client-ecs";
import {
  continueServiceDeployment,
  describeServiceDeployment,
  listServiceDeployments,
} from "../aws/service-deployments.js";
import { UsageError } from "../model/errors.js";
import { awaitingHook, isOpen, type ServiceDeploymentView } from "../model/service-deployment.js";
import type { Context } from "./context.js";

/**
 * The service deployment still running on a service: its currentServiceDeployment when that one is
 * open, else the newest PENDING/IN_PROGRESS one ListServiceDeployments lists. Undefined when none is.
 */
export async function openServiceDeployment(
  ctx: Context,
  cluster: string,
  service: Service,
): Promise<ServiceDeploymentView | undefined> {
  if (service.currentServiceDeployment) {
    const current = await describeServiceDeployment(ctx.clients.ecs, service.currentServiceDeployment);
    if (current && isOpen(current)) return current;
  }
  const [newest] = await listServiceDeployments(ctx.clients.ecs, cluster, service.serviceName ?? "", {
    limit: 1,
    status: ["PENDING", "IN_PROGRESS"],
  });
  if (!newest?.serviceDeploymentArn) return undefined;
  return describeServiceDeployment(ctx.clients.ecs, newest.serviceDeploymentArn);
}

/** `ecs continue`: ContinueServiceDeployment on the hook the service's open deployment waits at. */
export async function continueOpenDeployment(
  ctx: Context,
  options: { cluster: string; service: string; action: "CONTINUE" | "ROLLBACK"; hookId?: string | undefined },
): Promise<{ serviceDeploymentArn: string; hookId: string; stage?: string | undefined }> {
  const found = await ctx.ecs.service(options.cluster, options.service);
  const open = await openServiceDeployment(ctx, options.cluster, found);
  if (!open)
    throw new UsageError(`${options.service} has no service deployment in progress: nothing to continue`);
  const hook = options.hookId ? open.hooks.find((h) => h.hookId === options.hookId) : awaitingHook(open);
  if (hook?.status !== "AWAITING_ACTION") {
    const waiting = options.hookId
      ? `hook ${options.hookId} is not AWAITING_ACTION`
      : "no hook is AWAITING_ACTION";
    throw new UsageError(
      `service deployment ${open.arn} is at ${open.stage ?? "?"}: ${waiting} (a PAUSE lifecycle hook must be waiting)`,
    );
  }
  await continueServiceDeployment(ctx.clients.ecs, open.arn, hook.hookId, options.action);
  return { serviceDeploymentArn: open.arn, hookId: hook.hookId, stage: open.stage };
}
