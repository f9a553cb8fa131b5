import type { Sample } from "./load.js";
import { isFailure } from "./load-summary.js";
import type { WeightSpan } from "./rule-weights.js";

// Pure: how many of the requests sent and answered while the rule weights held one value went to
// green, per canary/linear step. A request that straddles a weight change counts for no step.

export interface StepShare {
  /** Green's configured percent in this step (the rule weights). */
  percent: number;
  requests: number;
  green: number;
  /** Green's measured share of `requests`, in percent. */
  measured: number;
  seconds: number;
}

/** `version(sample)`: the version a request got, or undefined when the answer named none. */
export function stepShares(
  samples: readonly Sample[],
  spans: readonly WeightSpan[],
  version: (sample: Sample) => string | undefined,
  green: string,
): StepShare[] {
  return spans.map((span) => {
    const inside = samples.filter(
      (s) => !isFailure(s) && s.startedAt >= span.from && s.endedAt <= span.to && version(s) !== undefined,
    );
    const onGreen = inside.filter((s) => version(s) === green).length;
    return {
      percent: span.percent,
      requests: inside.length,
      green: onGreen,
      measured: inside.length === 0 ? Number.NaN : (100 * onGreen) / inside.length,
      seconds: Math.max(0, span.to - span.from) / 1000,
    };
  });
}
