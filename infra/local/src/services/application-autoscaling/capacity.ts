// Target tracking's capacity rules, as Application Auto Scaling's documentation states them, pure:
// capacity is proportional to how far the metric is from its target; a scale-out cooldown keeps a
// policy from adding again unless a larger scale-out is called for; scale-in waits for both
// cooldowns and never goes below what keeps the metric at or under the target.

export type Direction = "out" | "in";

/** When the target last scaled, in epoch milliseconds; `from` is the capacity a scale-out started at. */
export interface ScalingHistory {
  lastScaleOut?: { at: number; from: number };
  lastScaleIn?: { at: number };
}

export interface ScalingRequest {
  direction: Direction;
  current: number;
  metric: number;
  target: number;
  min: number;
  max: number;
  /** Seconds. */
  scaleOutCooldown: number;
  scaleInCooldown: number;
  now: number;
  history: ScalingHistory;
}

/** Floating-point noise (75 / 25 × 1 = 3.0000000000000004) must not add a task. */
const EPSILON = 1e-9;

/**
 * The capacity that brings the metric to the target if load spreads evenly: ceil(capacity × metric
 * / target). Rounding up is what makes scale-in conservative: the fleet left keeps the metric at or
 * under the target. An empty fleet counts as one task, so a breach with no tasks still adds one.
 */
export function proportionalCapacity(capacity: number, metric: number, target: number): number {
  return Math.ceil((Math.max(capacity, 1) * metric) / target - EPSILON);
}

export function clamp(capacity: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, capacity));
}

function within(last: { at: number } | undefined, seconds: number, now: number): boolean {
  return last !== undefined && now - last.at < seconds * 1000;
}

/** The new capacity, or undefined when the policy leaves the capacity as it is. */
export function scaledCapacity(request: ScalingRequest): number | undefined {
  const { current, metric, target, min, max, now, history } = request;
  const outCooling = within(history.lastScaleOut, request.scaleOutCooldown, now);
  if (request.direction === "out") {
    // During the cooldown, the capacity the last scale-out added counts as already there: only a
    // larger scale-out from where it started goes ahead.
    const base = outCooling ? history.lastScaleOut!.from : current;
    const next = clamp(proportionalCapacity(base, metric, target), min, max);
    return next > current ? next : undefined;
  }
  if (outCooling || within(history.lastScaleIn, request.scaleInCooldown, now)) return undefined;
  const next = clamp(proportionalCapacity(current, metric, target), min, max);
  return next < current ? next : undefined;
}
