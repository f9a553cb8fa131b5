import {
  DescribeRulesCommand,
  type ElasticLoadBalancingV2Client,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { startPolling } from "./polling.js";

// The forward weights of listener rules (DescribeRules), read again and again during a deployment:
// what ECS has set, as a timeline a suite can line requests up against.

/** Rule ARN → target group ARN → weight. */
export type RuleWeights = Record<string, Record<string, number>>;

export interface WeightReading {
  /** When DescribeRules was sent and when it answered: the weights held at some moment in between. */
  sentAt: number;
  at: number;
  weights: RuleWeights;
}

export async function readWeights(
  elb: ElasticLoadBalancingV2Client,
  ruleArns: string[],
): Promise<RuleWeights> {
  const out = await elb.send(new DescribeRulesCommand({ RuleArns: ruleArns }));
  return Object.fromEntries(
    (out.Rules ?? []).map((rule) => {
      const forward = rule.Actions?.find((a) => a.Type === "forward");
      const groups = forward?.ForwardConfig?.TargetGroups ?? [];
      const weights = Object.fromEntries(groups.map((g) => [g.TargetGroupArn ?? "", g.Weight ?? 1]));
      if (groups.length === 0 && forward?.TargetGroupArn) weights[forward.TargetGroupArn] = 1;
      return [rule.RuleArn ?? "", weights];
    }),
  );
}

export interface WeightWatch {
  readings(): readonly WeightReading[];
  stop(): Promise<WeightReading[]>;
}

export function watchWeights(
  elb: ElasticLoadBalancingV2Client,
  ruleArns: string[],
  intervalMs = 100,
): WeightWatch {
  const readings: WeightReading[] = [];
  const polling = startPolling(async () => {
    const sentAt = Date.now();
    const weights = await readWeights(elb, ruleArns);
    readings.push({ sentAt, at: Date.now(), weights });
  }, intervalMs);
  return {
    readings: () => readings,
    stop: async () => {
      await polling.stop();
      return readings;
    },
  };
}

/** `group`'s share of a rule's weight in percent (0 when the rule does not forward to it). */
export function percentOf(weights: Record<string, number>, group: string): number {
  const total = Object.values(weights).reduce((a, b) => a + b, 0);
  return total === 0 ? 0 : (100 * (weights[group] ?? 0)) / total;
}

/** `group`'s percent on every rule of the reading; undefined while the rules disagree (one moved first). */
export function commonPercent(reading: WeightReading, group: string): number | undefined {
  const percents = Object.values(reading.weights).map((w) => percentOf(w, group));
  const first = percents[0];
  return first !== undefined && percents.every((p) => p === first) ? first : undefined;
}

/** A run of consecutive readings with the same percent: it held from the first answer to the last send. */
export interface WeightSpan {
  percent: number;
  from: number;
  to: number;
  readings: number;
}

export function weightSpans(readings: readonly WeightReading[], group: string): WeightSpan[] {
  const spans: WeightSpan[] = [];
  let open: WeightSpan | undefined;
  for (const reading of readings) {
    const percent = commonPercent(reading, group);
    if (percent === undefined) {
      open = undefined;
      continue;
    }
    if (open && open.percent === percent) {
      open.to = reading.sentAt;
      open.readings++;
    } else {
      open = { percent, from: reading.at, to: reading.sentAt, readings: 1 };
      spans.push(open);
    }
  }
  return spans;
}

/** The first reading sent at or after `since` on which `group` has `percent` on every rule. */
export function firstReadingAt(
  readings: readonly WeightReading[],
  group: string,
  percent: number,
  since: number,
): WeightReading | undefined {
  return readings.find((r) => r.sentAt >= since && commonPercent(r, group) === percent);
}

/** Per rule: when it was first read with `group` at `percent` (sent at or after `since`), in ms after `since`. */
export function msUntilEachRule(
  readings: readonly WeightReading[],
  group: string,
  percent: number,
  since: number,
): Record<string, number | undefined> {
  const rules = [...new Set(readings.flatMap((r) => Object.keys(r.weights)))];
  return Object.fromEntries(
    rules.map((rule) => {
      const found = readings.find(
        (r) => r.sentAt >= since && r.weights[rule] && percentOf(r.weights[rule], group) === percent,
      );
      return [rule, found ? found.at - since : undefined];
    }),
  );
}
