import {
  DescribeTargetHealthCommand,
  type ElasticLoadBalancingV2Client,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import type { TargetView } from "../model/snapshot.js";
import type { Clock } from "./clock.js";
import { withRetry } from "./retry.js";

export async function targetHealth(
  elbv2: ElasticLoadBalancingV2Client,
  clock: Clock,
  targetGroupArn: string,
): Promise<TargetView[]> {
  const answer = await withRetry(
    () => elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn })),
    clock,
  );
  return (answer.TargetHealthDescriptions ?? []).map((d) => ({
    targetGroupArn,
    id: d.Target?.Id ?? "",
    port: d.Target?.Port ?? 0,
    state: d.TargetHealth?.State ?? "unavailable",
  }));
}
