import type { Point, Series } from "@platform/plots";
import { lineChart } from "@platform/plots";
import type { ScenarioResult } from "../src/reliability-results.js";

// The load-steps scenario's own plot: p99 against the offered rate, one line per path (through the
// load balancer, straight to a task) and per request kind, with the 100 ms threshold.

const STEPS_TABLE = /^Per step/;

/** p99 per offered rate, one series per path of the steps table; none when the result has no such table. */
export function p99Series(result: ScenarioResult, kind: string): Series[] {
  const table = result.tables?.find((t) => STEPS_TABLE.test(t.title));
  if (!table) return [];
  const col = (name: string) => table.columns.indexOf(name);
  const [path, rate, p99] = [col("path"), col("rate /s"), col("p99 ms")];
  const byPath = new Map<string, Point[]>();
  for (const row of table.rows) {
    const name = String(row[path]);
    if (!name.startsWith(kind) || typeof row[p99] !== "number") continue;
    byPath.set(name, [...(byPath.get(name) ?? []), [Number(row[rate]), row[p99] as number]]);
  }
  return [...byPath].map(([name, points]) => ({ name: name.replace(/^\S+ · /, ""), points }));
}

/** The PNGs of the scenario: file name (relative to docs/) → chart, for each request kind that has steps. */
export function loadStepsPlots(result: ScenarioResult, dir: string) {
  const threshold = Number(result.figures["threshold, ms"] ?? 100);
  return [
    { kind: "version", what: "GET /api/v1/version" },
    { kind: "jobs", what: "POST /api/v1/jobs" },
  ].flatMap(({ kind, what }) => {
    const series = p99Series(result, kind);
    if (series.length === 0) return [];
    return [
      {
        title: `p99 vs rate, ${what}`,
        file: `${dir}/${result.scenario}-${kind}-p99.png`,
        chart: lineChart({
          title: `${what}: p99 against the offered rate`,
          xName: "offered requests/s (open loop)",
          yName: "p99 ms (sent → answered)",
          series,
          thresholds: [{ y: threshold, label: `${threshold} ms` }],
        }),
      },
    ];
  });
}
