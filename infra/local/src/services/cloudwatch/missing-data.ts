import type { StateValue } from "@aws-sdk/client-cloudwatch";
import type { TreatMissingData } from "./alarm-config.js";

// How an alarm's state follows from the periods of its evaluation range ("How alarm state is
// evaluated when data is missing"), as the page's tables and native CloudWatch alarms show it:
// - with at least N real datapoints in the range, the N most recent decide and treatMissingData
//   plays no part;
// - with fewer, every real datapoint of the range is evaluated together with the most recent
//   missing periods that make N ("uses missing data points only as few times as possible"), even
//   real datapoints much older than the last N periods;
// - breaching and notBreaching count those missing periods as their kind;
// - missing and ignore decide on the real datapoints: M breaching → ALARM; otherwise, with fewer
//   than M real datapoints, the "premature alarm state" rule: ALARM when, in that window of N, the
//   oldest breaching datapoint is at least M periods old and none after it is good (ignore keeps
//   the current state there); otherwise OK when a real datapoint is good, else the state is kept.
//   With no real datapoint at all, missing → INSUFFICIENT_DATA and ignore keeps the state.
// The page words the premature rule more broadly than its own tables allow (`0 - X - -`, 2 of 3,
// is OK under missing in the table; awsdocs/amazon-cloudwatch-user-guide#129 reports the same).
// Native alarms agree with the narrower reading, and with two rules the page leaves out: a window
// of `- X -` (3 of 3) keeps INSUFFICIENT_DATA instead of going to OK, and `- X 0` (2 of 3) goes to
// OK though only one of the two good datapoints OK needs is real.

/** One period of the evaluation range, oldest first: breaching, not breaching, or no data. */
export type Point = "breaching" | "ok" | "missing";

export interface Decision {
  /** undefined: keep the current state. */
  state?: StateValue;
  /** Missing periods counted as treatMissingData's kind (breaching/notBreaching only). */
  filled: number;
  /**
   * Indexes into the range of the periods the state rests on, newest first, as evaluatedDatapoints
   * lists them: the agreeing real datapoints, and missing periods of the window up to the M (ALARM,
   * INSUFFICIENT_DATA) or N - M + 1 (OK) the state needs. Empty when the state is kept.
   */
  supporting: number[];
  /** Indexes of the N periods evaluated, oldest first. */
  window: number[];
}

export function decideState(points: Point[], n: number, m: number, treat: TreatMissingData): Decision {
  const real = points.flatMap((p, i) => (p === "missing" ? [] : [i]));
  const gaps = real.length >= n ? [] : missingPeriods(points).slice(real.length - n);
  const window = real.length >= n ? real.slice(-n) : [...real, ...gaps].sort((a, b) => a - b);
  const breaching = window.filter((i) => points[i] === "breaching").length;
  const good = window.filter((i) => points[i] === "ok").length;
  const decided = (state: StateValue | undefined, filled = 0): Decision => ({
    ...(state !== undefined ? { state } : {}),
    filled,
    supporting: state === undefined ? [] : supporting(points, window, state, n, m, treat),
    window,
  });
  if (gaps.length === 0) return decided(breaching >= m ? "ALARM" : "OK");
  switch (treat) {
    case "breaching":
      return decided(breaching + gaps.length >= m ? "ALARM" : "OK", gaps.length);
    case "notBreaching":
      return decided(breaching >= m ? "ALARM" : "OK", gaps.length);
    default:
      if (real.length === 0) return decided(treat === "missing" ? "INSUFFICIENT_DATA" : undefined);
      if (breaching >= m) return decided("ALARM");
      if (real.length < m && premature(points, window, m))
        return decided(treat === "missing" ? "ALARM" : undefined);
      return decided(good > 0 ? "OK" : undefined);
  }
}

/** Indexes of the missing periods, oldest first. */
function missingPeriods(points: Point[]): number[] {
  return points.flatMap((p, i) => (p === "missing" ? [i] : []));
}

function premature(points: Point[], window: number[], m: number): boolean {
  const oldest = window.findIndex((i) => points[i] === "breaching");
  if (oldest < 0 || window.length - oldest < m) return false;
  return window.slice(oldest + 1).every((i) => points[i] !== "ok");
}

function supporting(
  points: Point[],
  window: number[],
  state: StateValue,
  n: number,
  m: number,
  treat: TreatMissingData,
): number[] {
  const newestFirst = [...window].reverse();
  const gaps = newestFirst.filter((i) => points[i] === "missing");
  if (state === "INSUFFICIENT_DATA") return gaps.slice(0, m);
  const kind: Point = state === "ALARM" ? "breaching" : "ok";
  const agreeing = newestFirst.filter((i) => points[i] === kind);
  const needed = state === "ALARM" ? m : n - m + 1;
  // Missing periods stand in for the state they were counted as, or for either under missing.
  const standIns = treat === (state === "ALARM" ? "notBreaching" : "breaching") ? [] : gaps;
  const padding = standIns.slice(0, Math.max(0, needed - agreeing.length));
  return [...agreeing, ...padding].sort((a, b) => b - a);
}
