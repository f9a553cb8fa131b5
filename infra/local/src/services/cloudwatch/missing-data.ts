import type { StateValue } from "@aws-sdk/client-cloudwatch";
import type { TreatMissingData } from "./alarm-config.js";

// How an alarm's state follows from the datapoints of its evaluation range ("Configuring how
// CloudWatch alarms treat missing data", "How alarm state is evaluated when data is missing"):
// - with at least N real datapoints in the range, the N most recent decide and treatMissingData
//   plays no part;
// - with none, missing → INSUFFICIENT_DATA, ignore → the current state, breaching → ALARM,
//   notBreaching → OK;
// - with some, breaching and notBreaching fill the N - real gaps with their kind; missing and
//   ignore decide on the real datapoints alone, except for the "premature alarm state" rule: with
//   fewer than M real datapoints, an alarm still goes to ALARM when, among the last N periods, the
//   oldest breaching datapoint is at least M periods old and every later period is breaching or
//   missing (ignore keeps the current state there instead).
// The page words that last rule more broadly than its own tables allow (`0 - X - -`, 2 of 3, is
// OK under missing in the table, ALARM by the sentence; awsdocs/amazon-cloudwatch-user-guide#129
// reports the same contradiction). Limiting it to fewer than M real datapoints, as the sentence's
// "even if the total number of datapoints available is lower than M" suggests, fits every row.

/** One period of the evaluation range, oldest first: breaching, not breaching, or no data. */
export type Point = "breaching" | "ok" | "missing";

export interface Decision {
  /** undefined: keep the current state. */
  state?: StateValue;
  /** Datapoints filled in with treatMissingData's kind (breaching/notBreaching only). */
  filled: number;
  /** Indexes into the range of the real datapoints the decision rests on. */
  evaluated: number[];
}

export function decideState(points: Point[], n: number, m: number, treat: TreatMissingData): Decision {
  const real = points.flatMap((p, i) => (p === "missing" ? [] : [i]));
  const breaches = (indexes: number[]) => indexes.filter((i) => points[i] === "breaching").length;
  if (real.length >= n) {
    const evaluated = real.slice(-n);
    return { state: breaches(evaluated) >= m ? "ALARM" : "OK", filled: 0, evaluated };
  }
  const filled = n - real.length;
  if (treat === "breaching")
    return { state: breaches(real) + filled >= m ? "ALARM" : "OK", filled, evaluated: real };
  if (treat === "notBreaching")
    return { state: breaches(real) >= m ? "ALARM" : "OK", filled, evaluated: real };
  if (real.length === 0)
    return { ...(treat === "missing" ? { state: "INSUFFICIENT_DATA" } : {}), filled: 0, evaluated: [] };
  if (breaches(real) >= m) return { state: "ALARM", filled: 0, evaluated: real };
  if (real.length < m && premature(points, n, m)) {
    return { ...(treat === "missing" ? { state: "ALARM" } : {}), filled: 0, evaluated: real };
  }
  return { state: "OK", filled: 0, evaluated: real };
}

function premature(points: Point[], n: number, m: number): boolean {
  const lastN = points.slice(-n);
  const oldest = lastN.indexOf("breaching");
  if (oldest < 0 || n - oldest < m) return false;
  return lastN.slice(oldest + 1).every((p) => p !== "ok");
}
