import type { Marker, Point, Series } from "@platform/plots";
import type { LatencyFigures } from "./latency.js";
import type { ResultTable, ScenarioResult } from "./reliability-results.js";

// Pure: a scenario's result as the report's Markdown and the series of its two plots.

export interface ScenarioSection {
  title: string;
  /** What the scenario does and what it asserts, one paragraph. */
  about: string;
  result: ScenarioResult;
  /** PNG file names, relative to the report; `extra`: a scenario's own plots (reliability/plots-*.ts). */
  plots: { latency: string; errors: string; extra?: { title: string; file: string }[] };
}

const ms = (v: number | undefined) => (v === undefined ? "—" : `${v}`);

export function streamTable(streams: Record<string, LatencyFigures>): string[] {
  return [
    "| stream | requests | failed | answered: p50 ms | p95 ms | p99 ms | max ms |",
    "| --- | --- | --- | --- | --- | --- | --- |",
    ...Object.entries(streams).map(
      ([name, f]) =>
        `| ${name} | ${f.requests} | ${f.failures} | ${ms(f.p50Ms)} | ${ms(f.p95Ms)} | ${ms(f.p99Ms)} | ${ms(f.maxMs)} |`,
    ),
  ];
}

export function figureTable(figures: ScenarioResult["figures"]): string[] {
  return [
    "| measured | value |",
    "| --- | --- |",
    ...Object.entries(figures).map(([name, value]) => `| ${cell(name)} | ${cell(String(value))} |`),
  ];
}

const cell = (text: string) => text.replaceAll("|", "\\|");

/** A result's pass conditions: its boolean figures named "pass…", "…: pass" or "…bar met…". */
export function passConditions(figures: ScenarioResult["figures"]): { held: number; of: number } {
  const conditions = Object.entries(figures).filter(
    ([name, value]) => typeof value === "boolean" && /^pass\b|: pass$|bar met/i.test(name),
  );
  return { held: conditions.filter(([, v]) => v).length, of: conditions.length };
}

/** One row per scenario: how it runs, when it last ran, its requests and failures, its conditions. */
export function summaryTable(sections: { title: string; form: string; result: ScenarioResult }[]): string[] {
  return [
    "| scenario | runs | last run (load average) | requests | failed | pass conditions held |",
    "| --- | --- | --- | --- | --- | --- |",
    ...sections.map(({ title, form, result }) => {
      // A test-listener stream checks green on purpose, broken greens included: its failures are apart.
      const all = Object.entries(result.streams);
      const users = all.filter(([name]) => !name.includes("test listener")).map(([, f]) => f);
      const checks = all.filter(([name]) => name.includes("test listener")).map(([, f]) => f);
      const requests = users.reduce((n, f) => n + f.requests, 0);
      const onPurpose = checks.reduce((n, f) => n + f.failures, 0);
      const failed = `${users.reduce((n, f) => n + f.failures, 0)}${onPurpose ? ` (and ${onPurpose} of green's checks on the test listener)` : ""}`;
      const { held, of } = passConditions(result.figures);
      const load = result.machine.loadAverage[0]?.toFixed(1) ?? "?";
      return `| ${cell(title)} | ${form} | ${result.ranAt.slice(0, 16).replace("T", " ")} (${load}) | ${requests} | ${failed} | ${of === 0 ? "measured only" : `${held} of ${of}`} |`;
    }),
  ];
}

export function machineLine(result: ScenarioResult): string {
  const load = result.machine.loadAverage.map((l) => l.toFixed(2)).join(", ");
  return `Run ${result.ranAt}, ${result.machine.cpus} cores shared with other engineers' builds and tests (load average ${load} at the end of the run), Node ${result.machine.node}.`;
}

export function sectionMarkdown(section: ScenarioSection): string[] {
  const { result } = section;
  return [
    `## ${section.title}`,
    "",
    section.about,
    "",
    machineLine(result),
    "",
    ...streamTable(result.streams),
    "",
    ...figureTable(result.figures),
    "",
    ...(result.tables ?? []).flatMap(resultTable),
    ...result.notes.map((n) => `- ${n}`),
    "",
    `![latency over time](${section.plots.latency})`,
    "",
    `![errors over time](${section.plots.errors})`,
    "",
    ...(section.plots.extra ?? []).flatMap((p) => [`![${p.title}](${p.file})`, ""]),
  ];
}

export function resultTable(table: ResultTable): string[] {
  return [
    `${table.title}:`,
    "",
    `| ${table.columns.map(cell).join(" | ")} |`,
    `| ${table.columns.map(() => "---").join(" | ")} |`,
    ...table.rows.map((row) => `| ${row.map((v) => cell(String(v))).join(" | ")} |`),
    "",
  ];
}

export function markers(result: ScenarioResult): Marker[] {
  return result.markers.map((m) => ({ x: Number(m.t.toFixed(1)), label: m.label }));
}

/** p50 and p99 per second; a second without an answer has no point. */
export function latencySeries(result: ScenarioResult): Series[] {
  const pick = (key: "p50Ms" | "p99Ms"): Point[] =>
    result.timeline.flatMap((b) => (b[key] === undefined ? [] : [[b.t, b[key]] as Point]));
  return [
    { name: "p50 ms (answered)", points: pick("p50Ms") },
    { name: "p99 ms (answered)", points: pick("p99Ms") },
  ];
}

/** Failed share of the requests sent in each second, in percent, and the requests per second. */
export function errorSeries(result: ScenarioResult): Series[] {
  return [
    {
      name: "failed %",
      points: result.timeline.map(
        (b) => [b.t, b.requests === 0 ? 0 : (100 * b.failures) / b.requests] as Point,
      ),
    },
    { name: "requests/s", points: result.timeline.map((b) => [b.t, b.requests] as Point) },
  ];
}
