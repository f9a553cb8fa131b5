import {
  APP_NAMES,
  defaultEnvironment,
  ENVIRONMENT_NAMES,
  type PlatformSpec,
  productionRules,
  type RouteRule,
} from "@platform/env";
import type { InvariantContext, Violation } from "./context.js";
import { arnResourceName, list, obj, ofType, type RecordedResource, str, TYPES } from "./resources.js";
import { checkTrafficRules } from "./traffic.js";

export const REQUIRED_SSL_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";

/** The ALB, its security group, listeners, rules and target groups (the shared stack). */
export function checkEdge(resources: RecordedResource[], ctx: InvariantContext): Violation[] {
  return [
    ...checkTargetGroups(resources, ctx.spec),
    ...checkAlbSecurityGroups(resources, ctx.spec),
    ...checkListeners(resources, ctx.spec),
    ...checkRules(resources, ctx.spec),
    ...checkTrafficRules(resources, ctx.spec),
  ];
}

function checkTargetGroups(resources: RecordedResource[], spec: PlatformSpec): Violation[] {
  const v: Violation[] = [];
  for (const env of ENVIRONMENT_NAMES) {
    for (const app of APP_NAMES) {
      const name = `${app}-${env}`;
      const service = spec.environments[env].services[app];
      const group = ofType(resources, TYPES.targetGroup).find((r) => r.inputs.name === name);
      if (!group) {
        v.push(`target group ${name}: missing`);
        continue;
      }
      const i = group.inputs;
      if (i.protocol !== "HTTP" || i.targetType !== "instance") {
        v.push(
          `target group ${name}: ${String(i.protocol)}/${String(i.targetType)}; bridge-mode tasks need HTTP/instance`,
        );
      }
      const check = obj(i.healthCheck);
      const expected = service.healthCheck;
      const fields: [string, unknown, unknown, string][] = [
        ["path", check.path, expected.path, ""],
        ["interval", check.interval, expected.intervalSeconds, " s"],
        ["timeout", check.timeout, expected.timeoutSeconds, " s"],
        ["healthy threshold", check.healthyThreshold, expected.healthyThreshold, ""],
        ["unhealthy threshold", check.unhealthyThreshold, expected.unhealthyThreshold, ""],
        ["matcher", check.matcher, expected.matcher, ""],
      ];
      for (const [label, actual, wanted, unit] of fields) {
        if (actual !== wanted) {
          v.push(
            `target group ${name}: health check ${label} is ${String(actual)}${unit}; the spec says ${String(wanted)}${unit}`,
          );
        }
      }
      if (i.deregistrationDelay !== service.deregistrationDelaySeconds) {
        v.push(
          `target group ${name}: deregistration delay is ${String(i.deregistrationDelay)} s; the spec says ${service.deregistrationDelaySeconds} s`,
        );
      }
    }
  }
  return v;
}

function checkAlbSecurityGroups(resources: RecordedResource[], spec: PlatformSpec): Violation[] {
  const albs = ofType(resources, TYPES.loadBalancer);
  if (albs.length !== 1) return [`load balancer: expected one ALB, found ${albs.length}`];
  const ids = new Set(list(albs[0]?.inputs.securityGroups).map(String));
  const groups = ofType(resources, TYPES.securityGroup).filter((g) => ids.has(String(g.outputs.id)));
  if (groups.length === 0) return ["load balancer: it has no security group of this stack"];
  const v: Violation[] = [];
  for (const group of groups) {
    const open = new Set<number>();
    for (const rule of list(group.inputs.ingress).map(obj)) {
      const from = Number(rule.fromPort);
      const to = Number(rule.toPort);
      const web = rule.protocol === "tcp" && from === to && (from === 80 || from === 443);
      if (rule.protocol === "tcp" && from === to && from === spec.testListener.port) {
        v.push(...checkTestListenerIngress(group.name, rule, spec));
      } else if (!web) {
        v.push(
          `ALB security group ${group.name}: ingress ${String(rule.protocol)} ${from}-${to} is open; only TCP 80 and 443 may be`,
        );
      } else {
        open.add(from);
      }
    }
    for (const port of [80, 443]) {
      if (!open.has(port))
        v.push(`ALB security group ${group.name}: port ${port} is not open to the internet`);
    }
  }
  return v;
}

/** The test listener serves versions no user has seen yet: the team's networks only, never the internet. */
function checkTestListenerIngress(
  groupName: string,
  rule: Record<string, unknown>,
  spec: PlatformSpec,
): Violation[] {
  const allowed = new Set(spec.testListener.allowedCidrs);
  const strangers = [...list(rule.cidrBlocks), ...list(rule.ipv6CidrBlocks)]
    .map(String)
    .filter((c) => !allowed.has(c));
  if (strangers.length === 0) return [];
  return [
    `ALB security group ${groupName}: the test listener port ${spec.testListener.port} is open to ${strangers.join(", ")}; only the spec's testListener.allowedCidrs may reach it`,
  ];
}

function checkListeners(resources: RecordedResource[], spec: PlatformSpec): Violation[] {
  const listeners = ofType(resources, TYPES.listener);
  const http = listeners.find((l) => l.inputs.port === 80);
  const https = listeners.find((l) => l.inputs.port === 443);
  const v: Violation[] = [];
  const redirect = obj(list(http?.inputs.defaultActions).map(obj)[0]?.redirect);
  if (
    !http ||
    redirect.protocol !== "HTTPS" ||
    redirect.statusCode !== "HTTP_301" ||
    redirect.port !== "443"
  ) {
    v.push("HTTP listener: port 80 must redirect to HTTPS 443 with a 301");
  }
  if (https?.inputs.protocol !== "HTTPS") return [...v, "HTTPS listener: no HTTPS listener on port 443"];
  if (https.inputs.sslPolicy !== REQUIRED_SSL_POLICY) {
    v.push(
      `HTTPS listener: ssl policy is ${String(https.inputs.sslPolicy)}; it must be ${REQUIRED_SSL_POLICY}`,
    );
  }
  if (https.inputs.certificateArn !== spec.certificateArn) {
    v.push(
      `HTTPS listener: certificate ${String(https.inputs.certificateArn)} is not the spec's ${spec.certificateArn}`,
    );
  }
  const fallback = `api-${defaultEnvironment(spec)}`;
  const action = list(https.inputs.defaultActions).map(obj)[0];
  if (action?.type !== "forward" || arnResourceName(str(action.targetGroupArn), "targetgroup") !== fallback) {
    v.push(`HTTPS listener: the default action must forward to target group ${fallback}`);
  }
  return v;
}

/** The rules on the production (443) listener: the routing contract. */
export function productionListenerRules(resources: RecordedResource[]): RecordedResource[] {
  const https = ofType(resources, TYPES.listener).find((l) => l.inputs.port === 443);
  return ofType(resources, TYPES.listenerRule).filter((r) => r.inputs.listenerArn === https?.outputs.arn);
}

/** Where a rule sends traffic now: its one target group, or the weighted one that has the traffic. */
export function liveTargetGroup(rule: RecordedResource): string | undefined {
  const action = list(rule.inputs.actions).map(obj)[0];
  const weighted = list(obj(action?.forward).targetGroups).map(obj);
  const arn = weighted.length > 0 ? weighted.find((g) => Number(g.weight) > 0)?.arn : action?.targetGroupArn;
  return arnResourceName(str(arn), "targetgroup");
}

function checkRules(resources: RecordedResource[], spec: PlatformSpec): Violation[] {
  const rules = productionListenerRules(resources);
  const v: Violation[] = [];
  const byPriority = new Map<number, string[]>();
  for (const rule of rules) {
    const p = Number(rule.inputs.priority);
    byPriority.set(p, [...(byPriority.get(p) ?? []), rule.name]);
  }
  for (const [priority, names] of byPriority) {
    if (names.length > 1)
      v.push(
        `listener rules: priority ${priority} is used by ${names.sort().join(" and ")}; priorities must be unique`,
      );
  }
  for (const expected of productionRules(spec)) {
    const found = rules.find((r) => Number(r.inputs.priority) === expected.priority);
    if (!found) {
      v.push(`listener rules: no rule at priority ${expected.priority} for ${describeRule(expected)}`);
      continue;
    }
    const conditions = list(found.inputs.conditions).map(obj);
    const hosts = conditions.flatMap((c) => list(obj(c.hostHeader).values).map(String));
    const paths = conditions.flatMap((c) => list(obj(c.pathPattern).values).map(String));
    const target = liveTargetGroup(found);
    const wanted = `${expected.app}-${expected.env}`;
    const sameHosts = sameSet(hosts, expected.hostHeader ? [expected.hostHeader] : []);
    const samePaths = sameSet(paths, [...(expected.pathPatterns ?? [])]);
    if (!sameHosts || !samePaths || target !== wanted) {
      v.push(
        `listener rule ${found.name} (priority ${expected.priority}): host ${JSON.stringify(hosts)} paths ${JSON.stringify(paths)} → ${String(target)}; expected ${describeRule(expected)}`,
      );
    }
  }
  const expectedPriorities = new Set(productionRules(spec).map((r) => r.priority));
  for (const rule of rules) {
    if (!expectedPriorities.has(Number(rule.inputs.priority))) {
      v.push(
        `listener rule ${rule.name}: priority ${String(rule.inputs.priority)} is not in the routing contract (env/src/names.ts)`,
      );
    }
  }
  return v;
}

function describeRule(rule: RouteRule): string {
  const host = rule.hostHeader ? `host ${rule.hostHeader}` : "any host";
  const paths = rule.pathPatterns ? ` paths ${rule.pathPatterns.join(",")}` : "";
  return `${host}${paths} → ${rule.app}-${rule.env}`;
}

function sameSet(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}
