import {
  DescribeTargetHealthCommand,
  type ElasticLoadBalancingV2Client,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import type { TargetStateReading } from "./deploy-series.js";
import { startPolling } from "./polling.js";

// Target groups' targets counted by state (initial, healthy, draining, ...) each `intervalMs`, as
// DescribeTargetHealth shows them: the readings a "targets by state over a deploy" plot is made of.

export interface TargetStateWatch {
  stop(): Promise<TargetStateReading[]>;
}

export function watchTargetStates(
  elb: ElasticLoadBalancingV2Client,
  groups: { name: string; arn: string }[],
  intervalMs = 1000,
): TargetStateWatch {
  const readings: TargetStateReading[] = [];
  const polling = startPolling(async () => {
    for (const group of groups) {
      const out = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: group.arn }));
      const counts: Record<string, number> = {};
      for (const d of out.TargetHealthDescriptions ?? []) {
        const state = d.TargetHealth?.State ?? "unknown";
        counts[state] = (counts[state] ?? 0) + 1;
      }
      readings.push({ at: Date.now(), group: group.name, counts });
    }
  }, intervalMs);
  return {
    stop: async () => {
      await polling.stop();
      return readings;
    },
  };
}
