import type { Scale, Speed } from "../src/model/profile.js";
import { CATALOGUE, type Clip } from "./catalogue.js";

// The scenario's jobs, decided before any is sent: the same seed gives the same jobs, so two
// policies can be compared on the same load. Pure.

export interface ScenarioOptions {
  jobs: number;
  /** Gaussian inter-arrival time, seconds (the earlier dacirco_scenario's defaults: 6 and 2). */
  meanGapSeconds: number;
  gapDeviationSeconds: number;
  /** Mb/s, drawn uniformly, whole numbers. */
  bitrates: readonly [min: number, max: number];
  /** Presets drawn uniformly: a mix of fast and slow jobs. */
  speeds: readonly Speed[];
  scales: readonly Scale[];
  /** Zipf exponent of the catalogue's popularity: 0 is uniform, 1 is the classic skew. */
  popularitySkew: number;
  seed: number;
  catalogue?: readonly Clip[];
}

export const DEFAULT_OPTIONS: ScenarioOptions = {
  jobs: 20,
  meanGapSeconds: 6,
  gapDeviationSeconds: 2,
  bitrates: [1, 4],
  speeds: ["ultrafast", "veryfast", "medium"],
  scales: ["240p", "360p"],
  popularitySkew: 1,
  seed: 1,
};

export interface PlannedJob {
  index: number;
  /** Seconds after the scenario starts that the job is submitted. */
  atSeconds: number;
  clip: string;
  bitrate: number;
  speed: Speed;
  scale: Scale;
}

/** The shortest gap between two submissions: a Gaussian draw below it is clamped, not dropped. */
const MIN_GAP_SECONDS = 0.05;

export function planScenario(options: ScenarioOptions): PlannedJob[] {
  checkOptions(options);
  const random = seededRandom(options.seed);
  const catalogue = options.catalogue ?? CATALOGUE;
  const popularity = zipfWeights(catalogue.length, options.popularitySkew);
  const jobs: PlannedJob[] = [];
  let at = 0;
  for (let index = 0; index < options.jobs; index++) {
    if (index > 0)
      at += Math.max(MIN_GAP_SECONDS, gaussian(random, options.meanGapSeconds, options.gapDeviationSeconds));
    const [low, high] = options.bitrates;
    jobs.push({
      index,
      atSeconds: Math.round(at * 1000) / 1000,
      clip: catalogue[pickWeighted(random, popularity)]!.name,
      bitrate: low + Math.floor(random() * (high - low + 1)),
      speed: options.speeds[Math.floor(random() * options.speeds.length)]!,
      scale: options.scales[Math.floor(random() * options.scales.length)]!,
    });
  }
  return jobs;
}

function checkOptions(o: ScenarioOptions): void {
  const problems = [
    !(Number.isInteger(o.jobs) && o.jobs >= 1 && o.jobs <= 10_000) &&
      `-n must be a whole number from 1 to 10000, got ${o.jobs}`,
    !(o.meanGapSeconds > 0) && `the mean gap must be positive, got ${o.meanGapSeconds}`,
    !(o.gapDeviationSeconds >= 0) && `the gap's deviation must not be negative, got ${o.gapDeviationSeconds}`,
    !(o.bitrates[0] >= 1 && o.bitrates[1] >= o.bitrates[0]) &&
      `bitrates must be a range from 1 up, got ${o.bitrates.join("-")}`,
    o.speeds.length === 0 && "at least one speed",
    o.scales.length === 0 && "at least one scale",
    !(o.popularitySkew >= 0) && `the popularity skew must not be negative, got ${o.popularitySkew}`,
  ].filter((p): p is string => typeof p === "string");
  if (problems.length > 0) throw new RangeError(problems.join("; "));
}

/** mulberry32: small, fast and good enough to make a load repeatable (not for secrets). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Box-Muller: one normal draw from two uniform ones. */
export function gaussian(random: () => number, mean: number, deviation: number): number {
  const u = 1 - random(); // (0, 1]: log(0) would be -Infinity
  const v = random();
  return mean + deviation * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Rank r (1-based) weighs 1 / r^s. */
export function zipfWeights(count: number, skew: number): number[] {
  const raw = Array.from({ length: count }, (_, i) => 1 / (i + 1) ** skew);
  const total = raw.reduce((a, b) => a + b, 0);
  return raw.map((w) => w / total);
}

function pickWeighted(random: () => number, weights: readonly number[]): number {
  let r = random();
  for (let i = 0; i < weights.length; i++) {
    r -= weights[i]!;
    if (r < 0) return i;
  }
  return weights.length - 1;
}
