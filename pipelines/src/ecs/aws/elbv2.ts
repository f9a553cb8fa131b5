import {
  DescribeTargetHealthCommand,
  type ElasticLoadBalancingV2Client,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import type { TargetView } from "../model/snapshot.js";

export async function targetHealth(
  elbv2: ElasticLoadBalancingV2Client,
  targetGroupArn: string,
): Promise<TargetView[]> {
  const answer = await elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }));
  return (answer.TargetHealthDescriptions ?? []).map((d) => ({
    targetGroupArn,
    id: d.Target?.Id ?? "",
    port: d.Target?.Port ?? 0,
    state: d.TargetHealth?.State ?? "unavailable",
  }));
}
