import type { ChartOption } from "./render.js";

// The few chart shapes the reports draw, so each report states its data and not ECharts' options.

export type Point = readonly [x: number, y: number];

export interface Series {
  name: string;
  points: readonly Point[];
  /** A step line for counts that change at instants (desired count, busy workers). */
  step?: boolean;
}

export interface Marker {
  /** Where on the x axis (same unit as the points). */
  x: number;
  label: string;
}

export interface Threshold {
  y: number;
  label: string;
}

export interface LineChart {
  title: string;
  xName: string;
  yName: string;
  series: readonly Series[];
  /** Vertical lines: a deploy, a traffic shift, a kill. */
  markers?: readonly Marker[];
  /** Horizontal lines: a mean, a p95, an alarm threshold. */
  thresholds?: readonly Threshold[];
}

export function lineChart(chart: LineChart): ChartOption {
  const marks = markLines(chart.markers ?? [], chart.thresholds ?? []);
  return {
    title: { text: chart.title, left: "center", textStyle: { fontSize: 16 } },
    legend: { bottom: 0 },
    grid: { left: 64, right: 32, top: 48, bottom: 64 },
    xAxis: { type: "value", name: chart.xName, nameLocation: "middle", nameGap: 28, scale: true },
    yAxis: {
      type: "value",
      name: chart.yName,
      nameLocation: "middle",
      nameGap: 44,
      max: axisMaxWith(chart.series, chart.thresholds),
    },
    series: chart.series.map((s, i) => ({
      name: s.name,
      type: "line",
      showSymbol: s.points.length <= 40,
      step: s.step ? "end" : false,
      data: s.points.map(([x, y]) => [x, y]),
      // ECharts draws mark lines per series; the first series carries the chart's.
      ...(i === 0 && marks ? { markLine: marks } : {}),
    })),
  };
}

// An alarm threshold above every datapoint is the point of the picture: keep it in view. Otherwise
// ECharts picks a round maximum itself.
function axisMaxWith(
  series: readonly Series[],
  thresholds: readonly Threshold[] | undefined,
): number | undefined {
  const highest = Math.max(...(thresholds ?? []).map((t) => t.y));
  const dataMax = Math.max(...series.flatMap((s) => s.points.map(([, y]) => y)));
  if (!Number.isFinite(highest) || highest <= dataMax) return undefined;
  return roundUp(highest * 1.1);
}

/** The next 1, 2 or 5 times a power of ten. */
export function roundUp(value: number): number {
  if (value <= 0) return 0;
  const power = 10 ** Math.floor(Math.log10(value));
  return [1, 2, 5, 10].map((m) => m * power).find((v) => v >= value) ?? 10 * power;
}

function markLines(markers: readonly Marker[], thresholds: readonly Threshold[]) {
  if (markers.length === 0 && thresholds.length === 0) return undefined;
  return {
    symbol: "none",
    silent: true,
    label: { formatter: "{b}", fontSize: 10 },
    lineStyle: { type: "dashed" },
    data: [
      // Neighbouring markers (a deploy and a kill seconds apart) label at opposite ends of their lines.
      ...[...markers]
        .sort((a, b) => a.x - b.x)
        .map((m, i) => ({ name: m.label, xAxis: m.x, label: { position: i % 2 === 0 ? "end" : "start" } })),
      ...thresholds.map((t) => ({ name: t.label, yAxis: t.y, label: { position: "insideEndTop" } })),
    ],
  };
}

export interface BarChart {
  title: string;
  categories: readonly string[];
  yName: string;
  series: readonly { name: string; values: readonly number[] }[];
  /** Bars stacked into one per category (shares of a whole), rather than side by side. */
  stacked?: boolean;
}

export function barChart(chart: BarChart): ChartOption {
  return {
    title: { text: chart.title, left: "center", textStyle: { fontSize: 16 } },
    legend: { bottom: 0 },
    grid: { left: 64, right: 32, top: 48, bottom: 64 },
    xAxis: { type: "category", data: [...chart.categories] },
    yAxis: { type: "value", name: chart.yName, nameLocation: "middle", nameGap: 44 },
    series: chart.series.map((s) => ({
      name: s.name,
      type: "bar",
      data: [...s.values],
      ...(chart.stacked ? { stack: "total" } : {}),
    })),
  };
}

/** Counts of values per bin, for a latency distribution drawn as bars. */
export function histogram(
  values: readonly number[],
  binWidth: number,
): { categories: string[]; counts: number[] } {
  if (!(binWidth > 0)) throw new Error(`bin width must be positive, got ${binWidth}`);
  if (values.length === 0) return { categories: [], counts: [] };
  const first = Math.floor(Math.min(...values) / binWidth);
  const last = Math.floor(Math.max(...values) / binWidth);
  const counts = new Array<number>(last - first + 1).fill(0);
  for (const v of values) {
    const bin = Math.floor(v / binWidth) - first;
    counts[bin] = (counts[bin] ?? 0) + 1;
  }
  const categories = counts.map((_, i) => `${(first + i) * binWidth}`);
  return { categories, counts };
}
