import { checkAlarms } from "./alarms.js";
import { checkCluster } from "./cluster.js";
import type { InvariantContext, Violation } from "./context.js";
import { checkData } from "./data.js";
import { checkRepositories } from "./ecr.js";
import { checkEcs } from "./ecs.js";
import { checkEdge } from "./edge.js";
import { checkPolicies, checkTrustPolicies } from "./iam.js";
import type { RecordedResource } from "./resources.js";
import { checkSecretLeaks } from "./secrets.js";

export type { InvariantContext, Violation } from "./context.js";
export type { RecordedResource } from "./resources.js";

/** Every rule the platform depends on, checked against one stack's resources. Empty means all hold. */
export function checkInvariants(resources: RecordedResource[], ctx: InvariantContext): Violation[] {
  const common = [
    ...checkPolicies(resources),
    ...checkTrustPolicies(resources),
    ...checkSecretLeaks(resources, ctx),
  ];
  if (ctx.stack === "shared")
    return [...checkEdge(resources, ctx), ...checkCluster(resources, ctx), ...common];
  const env = ctx.stack;
  return [
    ...checkEcs(resources, ctx, env),
    ...checkRepositories(resources, env),
    ...checkAlarms(resources, ctx, env),
    ...checkData(resources, ctx, env),
    ...common,
  ];
}
