import type { Sample } from "../src/load.js";
import { isFailure } from "../src/load-summary.js";

// Pure reading of the production load around one change: when the first request reached the version
// asked for, and from when on every request did. Requests are placed by when they were sent: the load
// balancer picks the target group as a request arrives, so the send time is when routing decided;
// a request in flight across a weight shift finishes where it started and ends later.

export interface VersionSwitch {
  /** ms from `from` to the first request sent that the version answered; undefined if none did. */
  firstMs: number | undefined;
  /**
   * ms from `from` to the first request of the run of requests, to the end of the window, that the
   * version alone answered: "production answers only the new version" from then on. Undefined when the
   * window ends on another version (the switch did not happen, or did not hold).
   */
  allMs: number | undefined;
  /** Requests sent in the window, answered by the version, by another one, failed. */
  requests: number;
  answeredByVersion: number;
  answeredByOther: number;
  failed: number;
}

export function versionSwitch(
  samples: readonly Sample[],
  versionOf: (sample: Sample) => string | undefined,
  version: string,
  window: { from: number; until: number },
): VersionSwitch {
  const inWindow = samples
    .filter((s) => s.startedAt >= window.from && s.startedAt < window.until)
    .sort((a, b) => a.startedAt - b.startedAt);
  const answered = inWindow.filter((s) => !isFailure(s));
  const isVersion = answered.map((s) => versionOf(s) === version);
  const firstIndex = isVersion.indexOf(true);
  const lastOther = isVersion.lastIndexOf(false);
  const allFrom = lastOther + 1 < answered.length ? answered[lastOther + 1] : undefined;
  const since = (s: Sample | undefined) => (s ? s.startedAt - window.from : undefined);
  const byVersion = isVersion.filter(Boolean).length;
  return {
    firstMs: since(firstIndex < 0 ? undefined : answered[firstIndex]),
    allMs: since(allFrom),
    requests: inWindow.length,
    answeredByVersion: byVersion,
    answeredByOther: answered.length - byVersion,
    failed: inWindow.length - answered.length,
  };
}

/** Whether the last `count` answered requests sent after `since` were all `version`'s. */
export function servesOnly(
  samples: readonly Sample[],
  versionOf: (sample: Sample) => string | undefined,
  version: string,
  since: number,
  count: number,
): boolean {
  const recent = samples.filter((s) => s.startedAt >= since && !isFailure(s)).slice(-count);
  return recent.length === count && recent.every((s) => versionOf(s) === version);
}
