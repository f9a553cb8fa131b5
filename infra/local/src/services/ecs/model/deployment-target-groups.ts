import type { DeploymentRecord, ServiceRecord } from "./types.js";

// Which target group of each load balancer a deployment's tasks go in. A rolling deployment uses the
// live one (production traffic's); a blue/green-family deployment uses the other of the pair, and
// when it completes the two swap roles for the next deployment.

export function liveTargetGroups(service: ServiceRecord): string[] {
  return service.loadBalancers.map((lb, i) => service.liveTargetGroups?.[i] ?? lb.targetGroupArn);
}

/** Each load balancer's group production traffic is not on (its alternate while the own is live). */
export function idleTargetGroups(service: ServiceRecord): string[] {
  return liveTargetGroups(service).map((live, i) => {
    const lb = service.loadBalancers[i];
    const alternate = lb?.advancedConfiguration?.alternateTargetGroupArn;
    if (!lb || !alternate) return live;
    return live === lb.targetGroupArn ? alternate : lb.targetGroupArn;
  });
}

export function deploymentTargetGroups(service: ServiceRecord, deployment: DeploymentRecord): string[] {
  return service.loadBalancers.map(
    (lb, i) => deployment.targetGroups?.[i] ?? liveTargetGroups(service)[i] ?? lb.targetGroupArn,
  );
}

/**
 * The live groups after the load balancers changed: a group that is still one of its load balancer's
 * pair stays live (ECS's rules point there), any other load balancer starts on its own group.
 */
export function keepLiveTargetGroups(
  service: ServiceRecord,
  next: ServiceRecord["loadBalancers"],
): string[] | undefined {
  const live = liveTargetGroups(service);
  const kept = next.map((lb) => {
    const pair = [lb.targetGroupArn, lb.advancedConfiguration?.alternateTargetGroupArn];
    return live.find((arn) => pair.includes(arn)) ?? lb.targetGroupArn;
  });
  return kept.every((arn, i) => arn === next[i]?.targetGroupArn) ? undefined : kept;
}
