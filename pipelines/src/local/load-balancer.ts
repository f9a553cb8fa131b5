import {
  type Action,
  AddTagsCommand,
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateRuleCommand,
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  ModifyRuleCommand,
  type Rule,
  type RuleCondition,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import {
  defaultEnvironment,
  type PlatformSpec,
  productionRules,
  type RouteRule,
  serviceName,
  testRules,
} from "@platform/env";
import { TWIN_TAG } from "@platform/local-region";
import { type Clients, unlessNotFound } from "./clients.js";

// The platform's one load balancer on this machine, as infra/aws/src/edge.ts builds it on AWS: the
// production listeners (HTTP and HTTPS: locally HTTP serves rather than redirects) with the routing
// contract's rules, and the test listeners where ECS sends test traffic to green. A traffic-shifting
// service's rules forward to its two target groups by weight, and those weights belong to ECS from
// the service's first deployment on: a restart never touches them.

export const LOAD_BALANCER = "platform";

/** A service's target groups: blue is where it starts, green the alternate ECS starts new revisions in. */
export interface ServiceGroups {
  blue: string;
  green?: string | undefined;
}

/** The rules ECS moves a traffic-shifting service's weights on (the HTTPS ones; HTTP twins follow). */
export interface ShiftingRules {
  production: string;
  test: string;
}

interface ListenerPlan {
  port: number;
  protocol: "HTTP" | "HTTPS";
  role: "production" | "test";
  rules: RouteRule[];
  /** The HTTPS listener whose rules this HTTP listener's rules follow (same priorities). */
  twinOfPort?: number;
}

export async function ensureLoadBalancer(
  clients: Clients,
  spec: PlatformSpec,
  groups: Record<string, ServiceGroups>,
  say: (line: string) => void,
): Promise<{ loadBalancerArn: string; listenerRules: Record<string, ShiftingRules> }> {
  const loadBalancerArn = await ensureAlb(clients, say);
  const existing =
    (await clients.elb.send(new DescribeListenersCommand({ LoadBalancerArn: loadBalancerArn }))).Listeners ??
    [];
  const fallback = groupsOf(groups, serviceName("api", defaultEnvironment(spec))).blue;
  const rulesByPort = new Map<number, Map<number, string>>();
  const listenerRules: Record<string, Partial<ShiftingRules>> = {};
  for (const plan of listenerPlans(spec)) {
    const listenerArn =
      existing.find((l) => l.Port === plan.port)?.ListenerArn ??
      (await createListener(clients, spec, loadBalancerArn, plan, fallback, say));
    const twins = plan.twinOfPort === undefined ? undefined : rulesByPort.get(plan.twinOfPort);
    const arns = await ensureRules(clients, listenerArn, plan.rules, groups, twins);
    rulesByPort.set(plan.port, arns);
    if (plan.twinOfPort !== undefined) continue;
    for (const rule of plan.rules) {
      const name = serviceName(rule.app, rule.env);
      if (!groups[name]?.green) continue;
      // A service's production rule is its host rule (or the catch-all), not a media path rule of another.
      listenerRules[name] = { ...listenerRules[name], [plan.role]: arns.get(rule.priority) as string };
    }
  }
  return { loadBalancerArn, listenerRules: complete(listenerRules) };
}

/** HTTPS before its HTTP twin, so the twin's rules can name the rules they follow. */
function listenerPlans(spec: PlatformSpec): ListenerPlan[] {
  const { httpPort, httpsPort, testHttpPort, testHttpsPort, domain } = spec.local;
  const production = productionRules(spec, domain);
  const test = testRules(spec, domain);
  return [
    { port: httpsPort, protocol: "HTTPS", role: "production", rules: production },
    { port: httpPort, protocol: "HTTP", role: "production", rules: production, twinOfPort: httpsPort },
    { port: testHttpsPort, protocol: "HTTPS", role: "test", rules: test },
    { port: testHttpPort, protocol: "HTTP", role: "test", rules: test, twinOfPort: testHttpsPort },
  ];
}

async function ensureAlb(clients: Clients, say: (line: string) => void): Promise<string> {
  const found = await unlessNotFound("LoadBalancerNotFoundException", () =>
    clients.elb.send(new DescribeLoadBalancersCommand({ Names: [LOAD_BALANCER] })),
  );
  const arn = found?.LoadBalancers?.[0]?.LoadBalancerArn;
  if (arn) return arn;
  const created = await clients.elb.send(
    new CreateLoadBalancerCommand({
      Name: LOAD_BALANCER,
      Subnets: ["subnet-local-a", "subnet-local-b"],
      Type: "application",
    }),
  );
  say(`created load balancer ${LOAD_BALANCER}`);
  return created.LoadBalancers?.[0]?.LoadBalancerArn as string;
}

async function createListener(
  clients: Clients,
  spec: PlatformSpec,
  loadBalancerArn: string,
  plan: ListenerPlan,
  fallbackGroup: string,
  say: (line: string) => void,
): Promise<string> {
  // Nothing is served on the test listener unless a rule names it, as on AWS.
  const defaultAction: Action =
    plan.role === "test"
      ? { Type: "fixed-response", FixedResponseConfig: { StatusCode: "404", ContentType: "text/plain" } }
      : { Type: "forward", TargetGroupArn: fallbackGroup };
  const created = await clients.elb.send(
    new CreateListenerCommand({
      LoadBalancerArn: loadBalancerArn,
      Port: plan.port,
      Protocol: plan.protocol,
      DefaultActions: [defaultAction],
      ...(plan.protocol === "HTTPS"
        ? {
            Certificates: [
              { CertificateArn: `arn:aws:acm:${spec.region}:000000000000:certificate/local-self-signed` },
            ],
          }
        : {}),
    }),
  );
  say(`created ${plan.role === "test" ? "test " : ""}${plan.protocol} listener on port ${plan.port}`);
  return created.Listeners?.[0]?.ListenerArn as string;
}

/** The listener's rules by priority: created when missing, made weighted when the service began to shift. */
async function ensureRules(
  clients: Clients,
  listenerArn: string,
  wanted: RouteRule[],
  groups: Record<string, ServiceGroups>,
  twins: Map<number, string> | undefined,
): Promise<Map<number, string>> {
  const rules = (await clients.elb.send(new DescribeRulesCommand({ ListenerArn: listenerArn }))).Rules ?? [];
  const arns = new Map<number, string>();
  for (const rule of wanted) {
    const service = groupsOf(groups, serviceName(rule.app, rule.env));
    const found = rules.find((r) => r.Priority === String(rule.priority));
    const arn = found?.RuleArn ?? (await createRule(clients, listenerArn, rule, service));
    if (found) await makeWeighted(clients, found, service);
    const twinOf = twins?.get(rule.priority);
    if (twinOf && service.green) {
      await clients.elb.send(
        new AddTagsCommand({ ResourceArns: [arn], Tags: [{ Key: TWIN_TAG, Value: twinOf }] }),
      );
    }
    arns.set(rule.priority, arn);
  }
  return arns;
}

async function createRule(
  clients: Clients,
  listenerArn: string,
  rule: RouteRule,
  service: ServiceGroups,
): Promise<string> {
  const conditions: RuleCondition[] = [];
  if (rule.hostHeader)
    conditions.push({ Field: "host-header", HostHeaderConfig: { Values: [rule.hostHeader] } });
  if (rule.pathPatterns)
    conditions.push({ Field: "path-pattern", PathPatternConfig: { Values: [...rule.pathPatterns] } });
  const created = await clients.elb.send(
    new CreateRuleCommand({
      ListenerArn: listenerArn,
      Priority: rule.priority,
      Conditions: conditions,
      Actions: [forward(service.blue, service.green)],
    }),
  );
  return created.Rules?.[0]?.RuleArn as string;
}

/**
 * A rule made while its service rolled forwards to one group: that group stays live at weight 100
 * with the other at 0. A rule that is weighted already is ECS's, and left alone.
 */
async function makeWeighted(clients: Clients, rule: Rule, service: ServiceGroups): Promise<void> {
  const action = rule.Actions?.find((a) => a.Type === "forward");
  if (!service.green || !action?.TargetGroupArn || (action.ForwardConfig?.TargetGroups?.length ?? 0) > 1)
    return;
  const live = action.TargetGroupArn;
  const idle = live === service.blue ? service.green : service.blue;
  await clients.elb.send(new ModifyRuleCommand({ RuleArn: rule.RuleArn, Actions: [forward(live, idle)] }));
}

function forward(live: string, idle: string | undefined): Action {
  if (!idle) return { Type: "forward", TargetGroupArn: live };
  return {
    Type: "forward",
    ForwardConfig: {
      TargetGroups: [
        { TargetGroupArn: live, Weight: 100 },
        { TargetGroupArn: idle, Weight: 0 },
      ],
    },
  };
}

function groupsOf(groups: Record<string, ServiceGroups>, name: string): ServiceGroups {
  const found = groups[name];
  if (!found) throw new Error(`no target group for ${name}: the route rules name a service the spec lacks`);
  return found;
}

function complete(rules: Record<string, Partial<ShiftingRules>>): Record<string, ShiftingRules> {
  const out: Record<string, ShiftingRules> = {};
  for (const [name, { production, test }] of Object.entries(rules)) {
    if (!production || !test)
      throw new Error(`${name} shifts traffic but has no ${production ? "test" : "production"} rule`);
    out[name] = { production, test };
  }
  return out;
}
