import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  type ElasticLoadBalancingV2Client,
  type Rule,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import type { WeightedGroup } from "../model/traffic-shift.js";

// The listener rules ECS moves during a traffic-shifting deploy (ELBv2 DescribeRules), and where the
// test listener can be reached. advancedConfiguration names a rule ARN, or a listener ARN for the
// listener's default rule.

/** The rule an advancedConfiguration names: by rule ARN, or the default rule of a listener ARN. */
export async function describeRule(
  elbv2: ElasticLoadBalancingV2Client,
  ruleOrListenerArn: string,
): Promise<Rule | undefined> {
  if (ruleOrListenerArn.includes(":listener-rule/")) {
    const answer = await elbv2.send(new DescribeRulesCommand({ RuleArns: [ruleOrListenerArn] }));
    return answer.Rules?.[0];
  }
  const answer = await elbv2.send(new DescribeRulesCommand({ ListenerArn: ruleOrListenerArn }));
  return answer.Rules?.find((r) => r.IsDefault);
}

/** A rule's forward target groups and weights (a plain forward is weight 1 on one group). */
export function forwardWeights(rule: Rule | undefined): WeightedGroup[] {
  const forward = rule?.Actions?.find((a) => a.Type === "forward");
  if (!forward) return [];
  const weighted = forward.ForwardConfig?.TargetGroups ?? [];
  if (weighted.length > 0) {
    return weighted.map((g) => ({ targetGroupArn: g.TargetGroupArn ?? "", weight: g.Weight ?? 1 }));
  }
  return forward.TargetGroupArn ? [{ targetGroupArn: forward.TargetGroupArn, weight: 1 }] : [];
}

export async function ruleWeights(
  elbv2: ElasticLoadBalancingV2Client,
  ruleOrListenerArn: string,
): Promise<WeightedGroup[]> {
  return forwardWeights(await describeRule(elbv2, ruleOrListenerArn));
}

/** The listener ARN of a rule ARN: `...:listener-rule/app/lb/x/listener-id/rule-id` → `...:listener/app/lb/x/listener-id`. */
export function listenerArnOf(ruleOrListenerArn: string): string {
  if (!ruleOrListenerArn.includes(":listener-rule/")) return ruleOrListenerArn;
  return ruleOrListenerArn.replace(":listener-rule/", ":listener/").replace(/\/[^/]+$/, "");
}

export interface ListenerEndpoint {
  protocol: "http" | "https";
  dnsName: string;
  port: number;
  /** The rule's host-header value (not a wildcard), sent as Host. */
  host?: string | undefined;
}

/** Test listener rule → DescribeRules (host) → DescribeListeners (protocol, port) → DescribeLoadBalancers (DNS name). */
export async function listenerEndpoint(
  elbv2: ElasticLoadBalancingV2Client,
  ruleOrListenerArn: string,
): Promise<ListenerEndpoint | undefined> {
  const rule = await describeRule(elbv2, ruleOrListenerArn);
  const listenerArn = listenerArnOf(ruleOrListenerArn);
  const listeners = await elbv2.send(new DescribeListenersCommand({ ListenerArns: [listenerArn] }));
  const listener = listeners.Listeners?.[0];
  if (!listener?.LoadBalancerArn || !listener.Port) return undefined;
  const lbs = await elbv2.send(
    new DescribeLoadBalancersCommand({ LoadBalancerArns: [listener.LoadBalancerArn] }),
  );
  const dnsName = lbs.LoadBalancers?.[0]?.DNSName;
  if (!dnsName) return undefined;
  return {
    protocol: listener.Protocol === "HTTPS" || listener.Protocol === "TLS" ? "https" : "http",
    dnsName,
    port: listener.Port,
    host: hostOf(rule),
  };
}

function hostOf(rule: Rule | undefined): string | undefined {
  for (const condition of rule?.Conditions ?? []) {
    if (condition.Field !== "host-header") continue;
    const values = condition.HostHeaderConfig?.Values ?? condition.Values ?? [];
    const exact = values.find((v) => !v.includes("*") && !v.includes("?"));
    if (exact) return exact;
  }
  return undefined;
}
