import type { DeploymentConfiguration, LoadBalancerRef, TaskDefinitionRecord } from "./types.js";
import { invalid, list, object, optionalBool, optionalInt, optionalString } from "./validation.js";

// CreateService/UpdateService fields, validated as ECS does.

export function parseLoadBalancers(value: unknown): LoadBalancerRef[] {
  return list(value, "loadBalancers").map((lb, i) => {
    const o = object(lb, `loadBalancers[${i}]`);
    const targetGroupArn = optionalString(o.targetGroupArn, "loadBalancers.targetGroupArn");
    if (!targetGroupArn) {
      throw invalid(
        "targetGroupArn is required for a load balancer of an EC2 service (loadBalancerName is Classic ELB).",
      );
    }
    const containerName = optionalString(o.containerName, "loadBalancers.containerName");
    const containerPort = optionalInt(o.containerPort, "loadBalancers.containerPort", 0, 65535);
    if (!containerName || containerPort === undefined) {
      throw invalid("loadBalancers needs containerName and containerPort.");
    }
    return { targetGroupArn, containerName, containerPort };
  });
}

export function checkLoadBalancersMatch(loadBalancers: LoadBalancerRef[], td: TaskDefinitionRecord): void {
  for (const lb of loadBalancers) {
    const container = td.containerDefinitions.find((c) => c.name === lb.containerName);
    if (!container) {
      throw invalid(`The container ${lb.containerName} does not exist in the task definition.`);
    }
    if (!container.portMappings.some((p) => p.containerPort === lb.containerPort)) {
      throw invalid(
        `The container ${lb.containerName} did not have a container port ${lb.containerPort} defined.`,
      );
    }
  }
}

export function parseDeploymentConfiguration(
  value: unknown,
  current?: DeploymentConfiguration,
): DeploymentConfiguration {
  const base: DeploymentConfiguration = current ?? {
    deploymentCircuitBreaker: { enable: false, rollback: false },
    maximumPercent: 200,
    minimumHealthyPercent: 100,
  };
  if (value === undefined || value === null) return base;
  const o = object(value, "deploymentConfiguration");
  const maximumPercent =
    optionalInt(o.maximumPercent, "deploymentConfiguration.maximumPercent", 100, 200) ?? base.maximumPercent;
  const minimumHealthyPercent =
    optionalInt(o.minimumHealthyPercent, "deploymentConfiguration.minimumHealthyPercent", 0, 100) ??
    base.minimumHealthyPercent;
  let deploymentCircuitBreaker = base.deploymentCircuitBreaker;
  if (o.deploymentCircuitBreaker !== undefined && o.deploymentCircuitBreaker !== null) {
    const cb = object(o.deploymentCircuitBreaker, "deploymentCircuitBreaker");
    const enable = optionalBool(cb.enable, "deploymentCircuitBreaker.enable");
    const rollback = optionalBool(cb.rollback, "deploymentCircuitBreaker.rollback");
    if (enable === undefined || rollback === undefined) {
      throw invalid("deploymentCircuitBreaker needs both enable and rollback.");
    }
    deploymentCircuitBreaker = { enable, rollback };
  }
  return { deploymentCircuitBreaker, maximumPercent, minimumHealthyPercent };
}
