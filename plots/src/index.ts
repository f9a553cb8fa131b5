export {
  type BarChart,
  barChart,
  histogram,
  type LineChart,
  lineChart,
  type Marker,
  type Point,
  type Series,
  type Threshold,
} from "./charts.js";
export { type ChartOption, type ChartSize, renderPng, renderSvg, writePng } from "./render.js";
