import { DescribeServicesCommand, type ServiceDeployment } from "@aws-sdk/client-ecs";
import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { newestServiceDeployment, waitFor } from "@platform/local-region/testing";
import { CLUSTER, type LocalRegionProcess, type RegionClients } from "./region-process.js";
import { readWeights } from "./rule-weights.js";

// A traffic-shifting service as ECS and ELBv2 describe it: the listener rules ECS moves, which target
// group is blue (production's) right now, and its newest service deployment.

/** npm start's one load balancer (env/platform.yaml's project name). */
const LOAD_BALANCER = "platform";

export interface ShiftingService {
  /** The production rule ECS moves (advancedConfiguration.productionListenerRule). */
  productionRule: string;
  testRule: string;
  /** Every rule forwarding to the pair on the production / test listeners (ECS's and their twins). */
  productionRules: string[];
  testRules: string[];
  /** The group production forwards to now, and the other one (where the next green starts). */
  blue: string;
  green: string;
}

export async function shiftingService(region: LocalRegionProcess, service: string): Promise<ShiftingService> {
  const clients = region.clients();
  const { http, https, testHttp, testHttps } = region.ports;
  const out = await clients.ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [service] }));
  const lb = out.services?.[0]?.loadBalancers?.[0];
  const advanced = lb?.advancedConfiguration;
  if (!lb?.targetGroupArn || !advanced?.alternateTargetGroupArn || !advanced.productionListenerRule)
    throw new Error(`${service} has no blue/green load balancer setup: ${JSON.stringify(lb)}`);
  if (!advanced.testListenerRule) throw new Error(`${service} has no test listener rule`);
  const pair = [lb.targetGroupArn, advanced.alternateTargetGroupArn];
  const weights = (await readWeights(clients.elb, [advanced.productionListenerRule]))[
    advanced.productionListenerRule
  ];
  const blue = pair.find((arn) => (weights?.[arn] ?? 0) > 0);
  const green = pair.find((arn) => arn !== blue);
  if (!blue || !green || (weights?.[green] ?? 0) > 0)
    throw new Error(`${service}'s production rule is not all on one group: ${JSON.stringify(weights)}`);
  const rules = await rulesForwardingTo(clients, pair);
  const on = (listenerPorts: number[]) =>
    rules.filter((r) => listenerPorts.includes(r.port)).map((r) => r.ruleArn);
  return {
    productionRule: advanced.productionListenerRule,
    testRule: advanced.testListenerRule,
    productionRules: on([http, https]),
    testRules: on([testHttp, testHttps]),
    blue,
    green,
  };
}

/** The non-default rules of the platform's load balancer that forward to any of `groups`, with their listener's port. */
async function rulesForwardingTo(
  clients: RegionClients,
  groups: string[],
): Promise<{ ruleArn: string; port: number }[]> {
  const balancers = await clients.elb.send(new DescribeLoadBalancersCommand({ Names: [LOAD_BALANCER] }));
  const listeners = await clients.elb.send(
    new DescribeListenersCommand({ LoadBalancerArn: balancers.LoadBalancers?.[0]?.LoadBalancerArn }),
  );
  const found: { ruleArn: string; port: number }[] = [];
  for (const listener of listeners.Listeners ?? []) {
    const rules = await clients.elb.send(new DescribeRulesCommand({ ListenerArn: listener.ListenerArn }));
    // The default rule forwards to production's fallback group, but a catch-all rule is matched first.
    for (const rule of (rules.Rules ?? []).filter((r) => !r.IsDefault)) {
      const targets = (rule.Actions ?? []).flatMap((a) => [
        a.TargetGroupArn,
        ...(a.ForwardConfig?.TargetGroups ?? []).map((g) => g.TargetGroupArn),
      ]);
      if (targets.some((t) => t && groups.includes(t)))
        found.push({ ruleArn: rule.RuleArn as string, port: listener.Port ?? 0 });
    }
  }
  return found;
}

export async function latestServiceDeployment(
  clients: RegionClients,
  service: string,
): Promise<ServiceDeployment | undefined> {
  return newestServiceDeployment(clients.ecs, CLUSTER, service);
}

/** Until the newest service deployment (started at or after `since`) satisfies `done`. */
export function waitForServiceDeployment(
  clients: RegionClients,
  service: string,
  what: string,
  since: number,
  done: (sd: ServiceDeployment) => boolean,
  timeoutMs = 120_000,
): Promise<ServiceDeployment> {
  return waitFor(
    `${service}'s service deployment: ${what}`,
    async () => {
      const sd = await latestServiceDeployment(clients, service);
      const started = sd?.createdAt?.getTime() ?? sd?.startedAt?.getTime() ?? 0;
      return sd && started >= since - 1000 && done(sd) ? sd : undefined;
    },
    timeoutMs,
    250,
  );
}
