import {
  DescribeTargetHealthCommand,
  type ElasticLoadBalancingV2Client,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { startPolling } from "./polling.js";

// A target group's targets as DescribeTargetHealth shows them over time: when each was first seen,
// first seen draining (ECS deregistered it) and first seen gone (its drain was over).

export interface TargetTimeline {
  /** `<id>:<port>`. */
  target: string;
  firstSeenAt: number;
  drainingAt?: number;
  goneAt?: number;
}

export interface TargetWatch {
  timelines(): TargetTimeline[];
  stop(): Promise<TargetTimeline[]>;
}

export function watchTargets(
  elb: ElasticLoadBalancingV2Client,
  targetGroupArn: string,
  intervalMs = 200,
): TargetWatch {
  const byTarget = new Map<string, TargetTimeline>();
  const polling = startPolling(async () => {
    const out = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }));
    const at = Date.now();
    const present = new Set<string>();
    for (const d of out.TargetHealthDescriptions ?? []) {
      const target = `${d.Target?.Id}:${d.Target?.Port}`;
      present.add(target);
      const timeline = byTarget.get(target) ?? { target, firstSeenAt: at };
      if (d.TargetHealth?.State === "draining" && timeline.drainingAt === undefined) timeline.drainingAt = at;
      byTarget.set(target, timeline);
    }
    for (const timeline of byTarget.values()) {
      if (!present.has(timeline.target) && timeline.goneAt === undefined) timeline.goneAt = at;
    }
  }, intervalMs);
  return {
    timelines: () => [...byTarget.values()],
    stop: async () => {
      await polling.stop();
      return [...byTarget.values()];
    },
  };
}
