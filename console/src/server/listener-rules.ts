import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  type ElasticLoadBalancingV2Client,
  type Listener,
  type LoadBalancer,
  type Rule,
} from "@aws-sdk/client-elastic-load-balancing-v2";

// Every load balancer with its listeners and each listener's rules, as ELBv2 lists them: what the
// Load balancer page shows and where the apps page finds each app's route.

export interface ListenerRules {
  loadBalancer: LoadBalancer;
  listener: Listener;
  rules: Rule[];
}

export async function listenerRules(elb: ElasticLoadBalancingV2Client): Promise<ListenerRules[]> {
  const out: ListenerRules[] = [];
  for (const loadBalancer of (await elb.send(new DescribeLoadBalancersCommand({}))).LoadBalancers ?? []) {
    const listeners =
      (await elb.send(new DescribeListenersCommand({ LoadBalancerArn: loadBalancer.LoadBalancerArn })))
        .Listeners ?? [];
    for (const listener of listeners) {
      const rules =
        (await elb.send(new DescribeRulesCommand({ ListenerArn: listener.ListenerArn }))).Rules ?? [];
      out.push({ loadBalancer, listener, rules });
    }
  }
  return out;
}

/** A rule condition's first value (host-header, path-pattern), whichever form it came in. */
export function conditionValues(c: NonNullable<Rule["Conditions"]>[number]): string[] {
  return c.HostHeaderConfig?.Values ?? c.PathPatternConfig?.Values ?? c.Values ?? [];
}
