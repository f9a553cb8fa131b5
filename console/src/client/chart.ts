import { LineChart } from "echarts/charts";
import { GridComponent, LegendComponent, MarkLineComponent, TooltipComponent } from "echarts/components";
import * as echarts from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";
import { html } from "htm/preact";
import { useEffect, useRef } from "preact/hooks";

// A small time-series chart (Apache ECharts, only the parts used), redrawn in place when its data
// changes, so a live page doesn't flicker.

echarts.use([LineChart, GridComponent, LegendComponent, MarkLineComponent, TooltipComponent, CanvasRenderer]);

export interface Series {
  name: string;
  points: [number, number][];
}

/** The last `windowMs` up to now on the x axis, so a chart with few points (or none) still reads as a time window. */
export function Chart(props: {
  series: Series[];
  windowMs: number;
  threshold?: number | undefined;
  unit?: string;
  id?: string;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | undefined>(undefined);
  useEffect(() => {
    if (!ref.current) return;
    chart.current = echarts.init(ref.current);
    const resize = () => chart.current?.resize();
    window.addEventListener("resize", resize);
    return () => {
      window.removeEventListener("resize", resize);
      chart.current?.dispose();
    };
  }, []);
  useEffect(() => {
    const threshold = props.threshold;
    chart.current?.setOption(
      {
        animation: false,
        grid: { left: 48, right: 16, top: 24, bottom: 24 },
        tooltip: { trigger: "axis" },
        legend: props.series.length > 1 ? { top: 0, textStyle: { fontSize: 11 } } : undefined,
        // A 15-minute window on a half-width card has room for about four time labels; more overlap.
        xAxis: {
          type: "time",
          min: Date.now() - props.windowMs,
          max: Date.now(),
          splitNumber: 4,
          axisLabel: { hideOverlap: true, fontSize: 10 },
        },
        yAxis: {
          type: "value",
          min: 0,
          // An alarm's threshold line must be on the chart even while the metric sits far below it.
          max:
            threshold === undefined
              ? undefined
              : (extent: { max: number }) => niceCeil(Math.max(extent.max, threshold) * 1.1),
          name: props.unit ?? "",
          nameTextStyle: { fontSize: 10 },
        },
        series: props.series.map((s, i) => ({
          name: s.name,
          type: "line",
          showSymbol: s.points.length < 30,
          data: s.points,
          ...(i === 0 && props.threshold !== undefined
            ? {
                markLine: {
                  symbol: "none",
                  lineStyle: { color: "#d91515", type: "dashed" },
                  label: { formatter: `threshold ${props.threshold}`, position: "insideEndTop" },
                  data: [{ yAxis: props.threshold }],
                },
              }
            : {}),
        })),
      },
      { notMerge: true },
    );
  }, [JSON.stringify(props.series), props.threshold]);
  return html`<div class="chart" ref=${ref} id=${props.id}></div>`;
}

/** The next 1, 2 or 5 × 10ⁿ at or above v, so the axis ends on a round label. */
function niceCeil(v: number): number {
  if (v <= 0) return 1;
  const scale = 10 ** Math.floor(Math.log10(v));
  return ([1, 2, 5, 10].find((m) => m * scale >= v) ?? 10) * scale;
}
