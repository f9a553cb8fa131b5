import type { InvariantContext, Violation } from "./context.js";
import { list, obj, ofType, type RecordedResource, str, TYPES } from "./resources.js";

/** The ECS instances: who may reach them, IMDSv2, joining the cluster, and the capacity provider. */
export function checkCluster(resources: RecordedResource[], ctx: InvariantContext): Violation[] {
  const templates = ofType(resources, TYPES.launchTemplate);
  if (templates.length === 0) return ["cluster: no launch template"];
  const albIds = new Set(
    ofType(resources, TYPES.loadBalancer).flatMap((lb) => list(lb.inputs.securityGroups).map(String)),
  );
  const v: Violation[] = [];
  for (const template of templates) {
    v.push(...checkLaunchTemplate(template, ctx));
    const sgIds = new Set(
      list(template.inputs.networkInterfaces)
        .flatMap((n) => list(obj(n).securityGroups))
        .concat(list(template.inputs.vpcSecurityGroupIds))
        .map(String),
    );
    for (const group of ofType(resources, TYPES.securityGroup).filter((g) =>
      sgIds.has(String(g.outputs.id)),
    )) {
      v.push(...checkInstanceIngress(group, albIds, ctx));
    }
  }
  v.push(...checkCapacityProviders(resources));
  return v;
}

function checkLaunchTemplate(template: RecordedResource, ctx: InvariantContext): Violation[] {
  const v: Violation[] = [];
  if (obj(template.inputs.metadataOptions).httpTokens !== "required") {
    v.push(
      `launch template ${template.name}: IMDSv2 is not required (metadataOptions.httpTokens must be "required")`,
    );
  }
  const userData = Buffer.from(str(template.inputs.userData) ?? "", "base64").toString("utf8");
  if (!userData.includes(`ECS_CLUSTER=${ctx.spec.cluster.name}`)) {
    v.push(`launch template ${template.name}: user data doesn't join cluster ${ctx.spec.cluster.name}`);
  }
  return v;
}

function checkInstanceIngress(
  group: RecordedResource,
  albIds: Set<string>,
  ctx: InvariantContext,
): Violation[] {
  const { from, to } = ctx.spec.cluster.dynamicHostPorts;
  const v: Violation[] = [];
  for (const rule of list(group.inputs.ingress).map(obj)) {
    const ports = `${String(rule.fromPort)}-${String(rule.toPort)}`;
    const cidrs = [...list(rule.cidrBlocks), ...list(rule.ipv6CidrBlocks), ...list(rule.prefixListIds)].map(
      String,
    );
    const sources = list(rule.securityGroups).map(String);
    if (rule.protocol === "udp") {
      if (Number(rule.fromPort) < from || Number(rule.toPort) > to) {
        v.push(
          `instance security group ${group.name}: UDP ${ports} reaches beyond the ephemeral range ${from}-${to}`,
        );
      }
      continue;
    }
    if (rule.protocol !== "tcp") {
      v.push(
        `instance security group ${group.name}: ingress protocol ${String(rule.protocol)} ${ports}; only TCP from the ALB and UDP media are allowed`,
      );
      continue;
    }
    if (
      cidrs.length > 0 ||
      rule.self === true ||
      sources.length === 0 ||
      sources.some((s) => !albIds.has(s))
    ) {
      v.push(
        `instance security group ${group.name}: TCP ${ports} is open to ${[...cidrs, ...sources].join(", ") || "nobody named"}; TCP may come from the ALB security group only`,
      );
    }
    if (Number(rule.fromPort) < from || Number(rule.toPort) > to) {
      v.push(
        `instance security group ${group.name}: TCP ${ports} is outside the ephemeral range ${from}-${to}`,
      );
    }
  }
  return v;
}

function checkCapacityProviders(resources: RecordedResource[]): Violation[] {
  const providers = ofType(resources, TYPES.capacityProvider);
  if (providers.length === 0) return ["cluster: no capacity provider"];
  return providers.flatMap((p) => {
    const asg = obj(p.inputs.autoScalingGroupProvider);
    const v: Violation[] = [];
    if (obj(asg.managedScaling).status !== "ENABLED")
      v.push(`capacity provider ${p.name}: managed scaling is off`);
    if (asg.managedDraining !== "ENABLED") v.push(`capacity provider ${p.name}: managed draining is off`);
    if (asg.managedTerminationProtection !== "ENABLED") {
      v.push(
        `capacity provider ${p.name}: managed termination protection is off (instances with tasks could be terminated)`,
      );
    }
    return v;
  });
}
