import type { ServiceSpec } from "@platform/env";
import type * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";

/**
 * A service's target group: HTTP to dynamic host ports (bridge mode, so targetType `instance`), the spec's
 * health check (one passing check makes a new task healthy) and its deregistration delay (the drain).
 */
export function targetGroupArgs(
  name: string,
  service: ServiceSpec,
  vpcId: pulumi.Input<string>,
): aws.lb.TargetGroupArgs {
  const check = service.healthCheck;
  return {
    name,
    vpcId,
    protocol: "HTTP",
    // ECS registers each task with its own host port; this one is only a placeholder AWS requires.
    port: service.containerPort,
    targetType: "instance",
    deregistrationDelay: service.deregistrationDelaySeconds,
    healthCheck: {
      enabled: true,
      protocol: "HTTP",
      port: "traffic-port",
      path: check.path,
      interval: check.intervalSeconds,
      timeout: check.timeoutSeconds,
      healthyThreshold: check.healthyThreshold,
      unhealthyThreshold: check.unhealthyThreshold,
      matcher: check.matcher,
    },
    tags: { Service: name },
  };
}
