import { DescribeTargetGroupsCommand, type Rule } from "@aws-sdk/client-elastic-load-balancing-v2";
import type { LoadBalancerSnapshot, RuleView, TargetGroupMetrics } from "../views.js";
import { nameFromArn, type RegionClients } from "./clients.js";
import { conditionValues, listenerRules } from "./listener-rules.js";
import { metricSeries } from "./metrics.js";

// The Load balancer page's snapshot: listeners and their rules (conditions, forward weights), and
// per target group its request count, target 5xx and p95 response time per minute from
// AWS/ApplicationELB, as ALB publishes them (TargetGroup + LoadBalancer dimensions).

const WINDOW_MS = 15 * 60 * 1000;

export class LoadBalancerView {
  constructor(private readonly clients: RegionClients) {}

  async snapshot(): Promise<LoadBalancerSnapshot> {
    const all = await listenerRules(this.clients.elb);
    const names = [...new Set(all.map((x) => x.loadBalancer.LoadBalancerArn))];
    const loadBalancers = names.map((arn) => {
      const mine = all.filter((x) => x.loadBalancer.LoadBalancerArn === arn);
      const lb = mine[0]?.loadBalancer;
      return {
        name: lb?.LoadBalancerName ?? "",
        dns: lb?.DNSName ?? "",
        listeners: mine.map((x) => `${x.listener.Protocol}:${x.listener.Port}`),
      };
    });
    const rules = all.flatMap((x) =>
      x.rules.map((r) => ruleView(`${x.listener.Protocol}:${x.listener.Port}`, r)),
    );
    return { loadBalancers, rules, targetGroups: await this.targetGroups() };
  }

  private async targetGroups(): Promise<TargetGroupMetrics[]> {
    const groups = (await this.clients.elb.send(new DescribeTargetGroupsCommand({}))).TargetGroups ?? [];
    const dims = groups.map((g) => ({
      TargetGroup: (g.TargetGroupArn ?? "").split(":").pop() ?? "",
      LoadBalancer: (g.LoadBalancerArns?.[0] ?? "").split(":loadbalancer/").pop() ?? "",
    }));
    const query = (id: string, metric: string, stat: string, i: number) => ({
      id: `${id}${i}`,
      namespace: "AWS/ApplicationELB",
      metric,
      dimensions: dims[i] as Record<string, string>,
      stat,
      periodSeconds: 60,
    });
    const series = await metricSeries(
      this.clients,
      groups.flatMap((_g, i) => [
        query("r", "RequestCount", "Sum", i),
        query("e", "HTTPCode_Target_5XX_Count", "Sum", i),
        query("p", "TargetResponseTime", "p95", i),
      ]),
      WINDOW_MS,
    );
    return groups.map((g, i) => ({
      name: g.TargetGroupName ?? "",
      healthCheck: `${g.HealthCheckPath ?? "/"} every ${g.HealthCheckIntervalSeconds} s, ${g.HealthyThresholdCount}/${g.UnhealthyThresholdCount}`,
      requests: series.get(`r${i}`) ?? [],
      errors5xx: series.get(`e${i}`) ?? [],
      p95ms: (series.get(`p${i}`) ?? []).map(([t, v]): [number, number] => [t, Math.round(v * 1000)]),
    }));
  }
}

function ruleView(listener: string, r: Rule): RuleView {
  const conditions = (r.Conditions ?? []).map((c) => {
    return `${c.Field} ${conditionValues(c).join(", ")}`;
  });
  const action = r.Actions?.[0];
  const weights =
    action?.ForwardConfig?.TargetGroups?.map((g) => ({
      targetGroup: nameFromArn(g.TargetGroupArn),
      weight: g.Weight ?? 1,
    })) ?? (action?.TargetGroupArn ? [{ targetGroup: nameFromArn(action.TargetGroupArn), weight: 1 }] : []);
  const fixed = action?.FixedResponseConfig;
  return {
    listener,
    priority: r.Priority ?? "",
    conditions,
    action: fixed ? `fixed ${fixed.StatusCode}` : (action?.Type ?? ""),
    weights,
  };
}
