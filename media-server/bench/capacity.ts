/**
 * How many concurrent 640×480@30 filtered streams this machine sustains at ≥ 25 fps each: N pages
 * of one Chromium stream the fake camera through the demo page (N = 1, 2, 3, ...), and per step the
 * received fps of every stream and the CPU and memory of the server process and its gst-launch
 * children (/proc). Chromium runs on the same cores: its CPU is printed beside.
 *
 *   npx tsc -b media-server && node media-server/dist/bench/capacity.js [max streams] [seconds per step] [filters]
 *
 * `filters` is a comma-separated list of the demo's filter names (default: all of FILTERS below).
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { lineChart, writePng } from "@platform/plots";
import type { Page } from "playwright-core";
import { buildAssets } from "../test/helpers/assets.js";
import { startServerProcess } from "../test/helpers/process.js";
import { mediaServerDir } from "../test/helpers/server.js";
import { launchBenchChromium } from "./bench-browser.js";
import { cpuMeter, machine, processTree, rssMiB } from "./proc.js";

const maxStreams = Number(process.argv[2] ?? 8);
const seconds = Number(process.argv[3] ?? 6);
const FILTERS = (process.argv[4] ?? "loopback,edge,faceoverlay,plate").split(",");
const MIN_FPS = 25;
const SETTLE_MS = 3000;
/** Whole run's bound: a step that cannot finish in time ends the filter's run. */
const BUDGET_MS = 8 * 60_000;

const framesDecoded = (page: Page) =>
  page.evaluate(async () => {
    let frames = 0;
    (await window.mediaDemo.state.session?.pc.getStats())?.forEach((r: Record<string, unknown>) => {
      if (r.type === "inbound-rtp" && r.kind === "video") frames = Number(r.framesDecoded ?? 0);
    });
    return { frames, t: performance.now() };
  });

interface Step {
  filter: string;
  streams: number;
  minFps: number;
  meanFps: number;
  serverCpu: number;
  chromiumCpu: number;
  serverRss: number;
}

await buildAssets();
const { child, url } = await startServerProcess({ MAX_PIPELINES: "32", MAX_PIPELINES_PER_SESSION: "4" });
child.stdout?.resume();
const browser = await launchBenchChromium();
// Playwright's Browser does not give its process: the chromium child of this process is it (Debian execs /usr/lib/chromium/chromium).
const chromiumPid = processTree(process.pid).find((pid) => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").startsWith("/usr/lib/chromium/chromium");
  } catch {
    return false;
  }
});
const steps: Step[] = [];
const started = Date.now();
try {
  for (const filter of FILTERS) {
    const pages: Page[] = [];
    for (let n = 1; n <= maxStreams && Date.now() - started < BUDGET_MS; n++) {
      const page = await browser.newPage();
      await page.goto(`${url}/media/`);
      await page.evaluate((f) => window.mediaDemo.start(f, "maintain-resolution"), filter);
      pages.push(page);
      await new Promise((r) => setTimeout(r, SETTLE_MS));
      const server = cpuMeter(child.pid!);
      const chromium = chromiumPid ? cpuMeter(chromiumPid) : () => Number.NaN;
      const a = await Promise.all(pages.map(framesDecoded));
      await new Promise((r) => setTimeout(r, seconds * 1000));
      const b = await Promise.all(pages.map(framesDecoded));
      const fps = b.map((x, i) => (x.frames - a[i]!.frames) / ((x.t - a[i]!.t) / 1000));
      const step = {
        filter,
        streams: n,
        minFps: Math.min(...fps),
        meanFps: fps.reduce((s, x) => s + x, 0) / n,
        serverCpu: server(),
        chromiumCpu: chromium(),
        serverRss: rssMiB(processTree(child.pid!)),
      };
      steps.push(step);
      console.error(
        `${filter} ×${n}: min ${step.minFps.toFixed(1)} fps, server ${step.serverCpu.toFixed(0)} %`,
      );
      if (step.minFps < MIN_FPS) break;
    }
    for (const page of pages) {
      await page.evaluate(() => window.mediaDemo.stop()).catch(() => {});
      await page.close();
    }
  }
} finally {
  await browser.close();
  child.kill("SIGTERM");
}

console.log(`machine: ${machine()}`);
console.log(
  `${seconds} s per step after ${SETTLE_MS / 1000} s of settling; a stream below ${MIN_FPS} fps ends the filter's run`,
);
console.log(
  "| filter | streams | min fps | mean fps | server + gst-launch CPU (% of one core) | per stream | server + gst RSS (MiB) | per stream | Chromium CPU (% of one core) |",
);
console.log("|---|---|---|---|---|---|---|---|---|");
for (const s of steps) {
  console.log(
    `| ${s.filter} | ${s.streams} | ${s.minFps.toFixed(1)} | ${s.meanFps.toFixed(1)} | ${s.serverCpu.toFixed(0)} | ${(s.serverCpu / s.streams).toFixed(0)} | ${s.serverRss.toFixed(0)} | ${(s.serverRss / s.streams).toFixed(0)} | ${s.chromiumCpu.toFixed(0)} |`,
  );
}
for (const filter of FILTERS) {
  const ok = steps.filter((s) => s.filter === filter && s.minFps >= MIN_FPS).map((s) => s.streams);
  console.log(`${filter}: sustains ${ok.length ? Math.max(...ok) : 0} streams at ≥ ${MIN_FPS} fps`);
}

const resultsDir = path.join(mediaServerDir, "bench/results");
mkdirSync(resultsDir, { recursive: true });
writeFileSync(
  path.join(resultsDir, "capacity.json"),
  `${JSON.stringify({ machine: machine(), steps }, null, 1)}\n`,
);
const series = (value: (s: Step) => number, suffix: string) =>
  FILTERS.map((f) => ({
    name: `${f} ${suffix}`,
    points: steps.filter((s) => s.filter === f).map((s) => [s.streams, value(s)] as const),
  }));
const charts = {
  "capacity-fps.png": lineChart({
    title: "Lowest received fps per stream against concurrent streams",
    xName: "streams",
    yName: "fps",
    series: series((s) => s.minFps, "min fps"),
    thresholds: [{ y: MIN_FPS, label: `${MIN_FPS} fps` }],
  }),
  "capacity-cpu.png": lineChart({
    title: "CPU against concurrent streams (server + gst-launch, and Chromium)",
    xName: "streams",
    yName: "% of one core",
    series: [...series((s) => s.serverCpu, "server"), ...series((s) => s.chromiumCpu, "Chromium")],
  }),
};
for (const [file, chart] of Object.entries(charts)) await writePng(path.join(resultsDir, file), chart);
console.log("written: bench/results/capacity.json, capacity-fps.png, capacity-cpu.png");
