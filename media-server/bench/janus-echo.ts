/**
 * Transport alone, side by side in one run: our loopback (no GStreamer, RTP forwarded by werift)
 * against Janus's echotest plugin, the same stamped 640×480@30 canvas stream from the same
 * Chromium, `streams` at once: round-trip time, jitter, glass-to-glass, CPU of each server process.
 * Janus (Debian's `janus`) runs as a child with a config written here: only the echotest plugin and
 * the websockets transport on 127.0.0.1, a fixed RTP port range, no STUN/TURN, no NAT settings.
 *
 *   npx tsc -b media-server && node media-server/dist/bench/janus-echo.js [seconds] [streams]
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort } from "@platform/local-region/testing";
import { startServerProcess } from "../test/helpers/process.js";
import { benchPageScript, launchBenchChromium, openBenchPage } from "./bench-browser.js";
import type { Trip } from "./page/bench-page.js";
import { cpuMeter, machine, processTree, rssMiB } from "./proc.js";
import { percentile } from "./stamp.js";

const seconds = Number(process.argv[2] ?? 12);
const streams = Number(process.argv[3] ?? 2);
const WARMUP = 4;
const JANUS_LIB = "/usr/lib/x86_64-linux-gnu/janus";

/** A config folder for Janus; returns the folder and the websocket port. */
async function janusConfig(dir: string): Promise<number> {
  const port = await freePort();
  for (const [folder, lib] of [
    ["plugins", "plugins/libjanus_echotest.so"],
    ["transports", "transports/libjanus_websockets.so"],
    ["events", undefined],
    ["loggers", undefined],
  ] as const) {
    mkdirSync(path.join(dir, folder));
    if (lib) symlinkSync(path.join(JANUS_LIB, lib), path.join(dir, folder, path.basename(lib)));
  }
  writeFileSync(
    path.join(dir, "janus.jcfg"),
    `general: {
  configs_folder = "${dir}"
  plugins_folder = "${dir}/plugins"
  transports_folder = "${dir}/transports"
  events_folder = "${dir}/events"
  loggers_folder = "${dir}/loggers"
  debug_level = 3
}
media: {
  rtp_port_range = "47000-47199"
}
nat: {
  nice_debug = false
  ice_ignore_list = "vmnet"
}
`,
  );
  writeFileSync(
    path.join(dir, "janus.transport.websockets.jcfg"),
    `general: {
  ws = true
  ws_port = ${port}
  ws_ip = "127.0.0.1"
  wss = false
}
admin: {
  admin_ws = false
}
`,
  );
  writeFileSync(path.join(dir, "janus.plugin.echotest.jcfg"), "general: {\n}\n");
  return port;
}

async function startJanus(): Promise<{ child: ChildProcess; url: string; dir: string }> {
  const dir = mkdtempSync(path.join(tmpdir(), "janus-bench-"));
  const port = await janusConfig(dir);
  const child = spawn("janus", ["-F", dir, "-C", path.join(dir, "janus.jcfg")], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  child.stdout!.on("data", (d: Buffer) => {
    log += d.toString();
  });
  child.stderr!.on("data", (d: Buffer) => {
    log += d.toString();
  });
  // Ready when its websocket port accepts connections (bounded: 50 tries, 200 ms apart).
  for (let attempt = 0; ; attempt++) {
    if (child.exitCode !== null || attempt === 50) {
      child.kill("SIGKILL");
      throw new Error(`Janus did not start:\n${log.slice(-2000)}`);
    }
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, "127.0.0.1", () => {
        socket.end();
        resolve(true);
      });
      socket.on("error", () => resolve(false));
    });
    if (open) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  return { child, url: `ws://127.0.0.1:${port}`, dir };
}

interface Row {
  server: string;
  trips: Trip[];
  cpuPct: number;
  rss: number;
}

const script = await benchPageScript();
const janus = await startJanus();
const ours = await startServerProcess({});
ours.child.stdout?.resume();
const browser = await launchBenchChromium();
const rows: Row[] = [];
try {
  const pages = await Promise.all(
    Array.from({ length: streams }, () => openBenchPage(browser, ours.url, script)),
  );
  const run = async (server: string, pid: number, trip: (i: number) => Promise<Trip>) => {
    let meter: (() => number) | undefined;
    const timer = setTimeout(() => {
      meter = cpuMeter(pid);
    }, WARMUP * 1000);
    const trips = await Promise.all(pages.map((_, i) => trip(i)));
    const cpuPct = meter?.() ?? Number.NaN;
    clearTimeout(timer);
    rows.push({ server, trips, cpuPct, rss: rssMiB(processTree(pid)) });
  };
  const wsUrl = `${ours.url.replace("http", "ws")}/kurento`;
  await run("ours (loopback, werift)", ours.child.pid!, (i) =>
    pages[i]!.evaluate(([u, w, s]) => window.mediaBench.server(u, "loopback", w, s), [
      wsUrl,
      WARMUP,
      seconds,
    ] as const),
  );
  await run("Janus echotest", janus.child.pid!, (i) =>
    pages[i]!.evaluate(([u, w, s]) => window.mediaBench.janus(u, w, s), [
      janus.url,
      WARMUP,
      seconds,
    ] as const),
  );
} finally {
  await browser.close();
  ours.child.kill("SIGTERM");
  janus.child.kill("SIGTERM");
  rmSync(janus.dir, { recursive: true, force: true });
}

const mean = (xs: (number | undefined)[]) => {
  const ok = xs.filter((x): x is number => typeof x === "number");
  return ok.length ? ok.reduce((a, b) => a + b, 0) / ok.length : Number.NaN;
};
console.log(`machine: ${machine()}`);
console.log(`${streams} streams at once per server, ${seconds} s after ${WARMUP} s of warm-up`);
console.log(
  "| server | streams | received | candidate-pair RTT (ms) | RTCP RTT (ms) | jitter (ms) | glass-to-glass p50 / p95 (ms) | CPU per stream (% of one core) | server RSS (MiB) |",
);
console.log("|---|---|---|---|---|---|---|---|---|");
for (const r of rows) {
  const all = r.trips.flatMap((t) => t.latencies);
  const fps = mean(r.trips.map((t) => t.latencies.length / seconds));
  console.log(
    `| ${r.server} | ${streams} | ${r.trips[0]?.width}×${r.trips[0]?.height}, ${fps.toFixed(1)} fps | ${mean(r.trips.map((t) => t.pairRttMs)).toFixed(1)} | ${mean(r.trips.map((t) => t.remoteRttMs)).toFixed(1)} | ${mean(r.trips.map((t) => t.jitterMs)).toFixed(1)} | ${percentile(all, 50).toFixed(1)} / ${percentile(all, 95).toFixed(1)} | ${(r.cpuPct / streams).toFixed(1)} | ${r.rss.toFixed(0)} |`,
  );
}
