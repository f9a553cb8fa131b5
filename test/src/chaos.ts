import { uniformInt } from "pure-rand/distribution/uniformInt";
import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";
import { inFlightAt } from "./latency.js";
import type { Sample } from "./load.js";
import { isFailure } from "./load-summary.js";

// Pure parts of the chaos scenario (test/reliability/chaos.ts): a seeded choice of victims, so a run
// can be repeated, and the reading of the load kill by kill: which failures a kill explains and
// whether they stay within the requests in flight on its service at that moment.

/** An index in [0, n) for each call, from `seed`: the same seed, the same victims. */
export type Draw = (n: number) => number;

export function seededDraw(seed: number): Draw {
  const rng = xoroshiro128plus(seed);
  return (n) => uniformInt(rng, 0, n - 1);
}

/** One of `items`; undefined for none. */
export function pick<T>(draw: Draw, items: readonly T[]): T | undefined {
  return items.length === 0 ? undefined : items[draw(items.length)];
}

/** Fisher–Yates: a new array, the same items in a random order. */
export function shuffled<T>(draw: Draw, items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = draw(i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/**
 * The service of each of `n` kills: every service once per round, rounds in a random order, so a
 * short run hits each service (a uniform draw let media servers take 6 of 8 kills in the first run).
 */
export function victimServices<T>(draw: Draw, services: readonly T[], n: number): T[] {
  const out: T[] = [];
  while (out.length < n && services.length > 0) out.push(...shuffled(draw, services));
  return out.slice(0, n);
}

export interface Kill {
  service: string;
  taskId: string;
  /** Epoch ms of the SIGKILL. */
  at: number;
  pids: number[];
  /** Epoch ms when the service was back at its desired count, every task healthy; absent if never. */
  recoveredAt?: number;
}

export interface KillReading {
  kill: Kill;
  /** Requests of the killed service's streams in flight at the kill. */
  inFlight: number;
  /** Failed requests of the killed service's streams that this kill explains (see readKills). */
  failures: Sample[];
  barMet: boolean;
  recoverySeconds?: number;
}

/**
 * Each failed request is put on the newest kill of its stream's service that happened before it
 * ended (a request sent to a task that died fails after the kill, never before). A failure with no
 * such kill is unexplained: before the first kill, or on a service nobody killed.
 */
export function readKills(
  samples: readonly Sample[],
  kills: readonly Kill[],
  serviceOf: (stream: string) => string,
): { readings: KillReading[]; unexplained: Sample[] } {
  const byKill = new Map<Kill, Sample[]>(kills.map((k) => [k, []]));
  const unexplained: Sample[] = [];
  for (const failure of samples.filter(isFailure)) {
    const service = serviceOf(failure.stream);
    const kill = kills
      .filter((k) => k.service === service && k.at <= failure.endedAt)
      .reduce<Kill | undefined>((newest, k) => (!newest || k.at > newest.at ? k : newest), undefined);
    if (kill) byKill.get(kill)?.push(failure);
    else unexplained.push(failure);
  }
  const readings = kills.map((kill) => {
    const inFlight = inFlightAt(
      samples.filter((s) => serviceOf(s.stream) === kill.service),
      kill.at,
    ).length;
    const failures = byKill.get(kill) ?? [];
    return {
      kill,
      inFlight,
      failures,
      barMet: failures.length <= inFlight,
      ...(kill.recoveredAt !== undefined && { recoverySeconds: (kill.recoveredAt - kill.at) / 1000 }),
    };
  });
  return { readings, unexplained };
}
