/**
 * Added glass-to-glass latency per filter at 640×480@30: the page paints performance.now() into a
 * canvas, sends canvas.captureStream(30) through the server (a process of its own, so the
 * benchmark's driver does not share its event loop) and reads the stamp back from the processed
 * video with requestVideoFrameCallback; the same page's canvas → local RTCPeerConnection pair is the
 * baseline, so added = through the server − local (per percentile).
 *
 *   npx tsc -b media-server && node media-server/dist/bench/glass-to-glass.js [seconds per filter] [filters]
 *
 * `filters` is a comma-separated list of the demo's filter names (default: all of FILTERS below).
 *
 * (compiled, not through tsx: tsx's helpers would leak into the functions sent to the page)
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { barChart, writePng } from "@platform/plots";
import { startServerProcess } from "../test/helpers/process.js";
import { mediaServerDir } from "../test/helpers/server.js";
import { benchPageScript, launchBenchChromium, openBenchPage } from "./bench-browser.js";
import type { Trip } from "./page/bench-page.js";
import { machine } from "./proc.js";
import { percentile } from "./stamp.js";

const seconds = Number(process.argv[2] ?? 12);
const WARMUP = 4;
const FILTERS = (process.argv[3] ?? "loopback,edge,faceoverlay,zbar,faceblur,plate").split(",");
const resultsDir = path.join(mediaServerDir, "bench/results");

// The machine is shared: its load at the start and at the end say what the run competed with.
const machineAtStart = machine();
const script = await benchPageScript();
const { child, url } = await startServerProcess({});
child.stdout?.resume();
const browser = await launchBenchChromium();
const wsUrl = `${url.replace("http", "ws")}/kurento`;
const trips = new Map<string, Trip>();
try {
  const page = await openBenchPage(browser, url, script);
  const run = async (name: string, trip: () => Promise<Trip>) => {
    const t = await trip();
    const sofar = trips.get(name);
    // The baseline runs first and last (the machine's load drifts): pool both.
    trips.set(
      name,
      sofar
        ? {
            ...t,
            latencies: [...sofar.latencies, ...t.latencies],
            frames: sofar.frames + t.frames,
            undecoded: sofar.undecoded + t.undecoded,
          }
        : t,
    );
    console.error(`${name}: ${t.latencies.length} stamps, p50 ${percentile(t.latencies, 50).toFixed(1)} ms`);
  };
  const local = () =>
    page.evaluate(([w, s]) => window.mediaBench.local(w, s), [WARMUP, seconds / 2] as const);
  await run("local (no server)", local);
  for (const filter of FILTERS) {
    await run(filter, () =>
      page.evaluate(([u, f, w, s]) => window.mediaBench.server(u, f, w, s), [
        wsUrl,
        filter,
        WARMUP,
        seconds,
      ] as const),
    );
  }
  await run("local (no server)", local);
} finally {
  await browser.close();
  child.kill("SIGTERM");
}

const base = trips.get("local (no server)")!.latencies;
const rows = [...trips].map(([name, t]) => {
  const p = (q: number) => percentile(t.latencies, q);
  const added = (q: number) => (name.startsWith("local") ? 0 : p(q) - percentile(base, q));
  return {
    name,
    frames: t.frames,
    stamps: t.latencies.length,
    p50: p(50),
    p95: p(95),
    added50: added(50),
    added95: added(95),
    size: `${t.width}×${t.height}`,
  };
});

console.log(`machine at the start: ${machineAtStart}; at the end: ${machine()}`);
console.log(`${seconds} s per filter after ${WARMUP} s of warm-up; baseline twice ${seconds / 2} s, pooled`);
console.log(
  "| path | frames | stamps read | received | glass-to-glass p50 (ms) | p95 (ms) | added p50 (ms) | added p95 (ms) |",
);
console.log("|---|---|---|---|---|---|---|---|");
for (const r of rows) {
  console.log(
    `| ${r.name} | ${r.frames} | ${r.stamps} | ${r.size} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} | ${r.added50.toFixed(1)} | ${r.added95.toFixed(1)} |`,
  );
}

mkdirSync(resultsDir, { recursive: true });
writeFileSync(
  path.join(resultsDir, "glass-to-glass.json"),
  `${JSON.stringify({ machineAtStart, machine: machine(), seconds, trips: Object.fromEntries(trips) }, null, 1)}\n`,
);
await writePng(
  path.join(resultsDir, "glass-to-glass.png"),
  barChart({
    title: "Glass-to-glass latency, 640×480@30 (percentiles per path)",
    categories: [...trips.keys()],
    yName: "ms",
    series: [5, 25, 50, 75, 95].map((q) => ({
      name: `p${q}`,
      values: [...trips.values()].map((t) => Math.round(percentile(t.latencies, q) * 10) / 10),
    })),
  }),
);
console.log(`written: bench/results/glass-to-glass.{json,png}`);
