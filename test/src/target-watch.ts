import {
  DescribeTargetHealthCommand,
  type ElasticLoadBalancingV2Client,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { startPolling } from "./polling.js";

// A target group's targets as DescribeTargetHealth shows them over time: when each was first seen,
// first seen draining (ECS deregistered it) and first seen gone (its drain was over). A reading is
// taken when its answer comes back, so a change happened between the last reading that did not show
// it (`servingUntil`, taken when that request was sent) and the first that did (`drainingAt`).

export interface TargetTimeline {
  /** `<id>:<port>`. */
  target: string;
  firstSeenAt: number;
  /** When the last request that still found the target in service (not draining) was sent. */
  servingUntil?: number;
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
    const sentAt = Date.now();
    const out = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }));
    const at = Date.now();
    const present = new Set<string>();
    for (const d of out.TargetHealthDescriptions ?? []) {
      const target = `${d.Target?.Id}:${d.Target?.Port}`;
      present.add(target);
      const timeline = byTarget.get(target) ?? { target, firstSeenAt: at };
      const draining = d.TargetHealth?.State === "draining";
      if (draining && timeline.drainingAt === undefined) timeline.drainingAt = at;
      if (!draining && timeline.drainingAt === undefined) timeline.servingUntil = sentAt;
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
