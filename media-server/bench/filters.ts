/**
 * Added latency and CPU of each filter's GStreamer process, fed a live 640×480 30 fps VP8 stream.
 *
 *   npx tsx bench/filters.ts [seconds-per-filter] [only-filters-named]
 *
 * A source gst-launch encodes a moving test pattern to RTP; this script relays it (stamping each
 * frame's last packet) into the same gst-launch argv the server runs, and stamps the processed
 * frames coming back. Two passes per filter:
 *  - 30 fps: output frame rate, and CPU = the filter process's utime+stime (from /proc) per second;
 *  - 10 fps: added latency = out stamp − stamp of the latest frame sent before it. Frames are
 *    100 ms apart and every filter processes one in less, so that frame is the one that came back
 *    (this stays right when a filter drops frames while it warms up, where in-order matching fails).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createSocket, type Socket } from "node:dgram";
import { readFileSync } from "node:fs";
import { cpus } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type FilterGst, gstLaunchArgv } from "../src/media/gst-pipeline.js";
import {
  EdgeDetectFilter,
  FaceBlurFilter,
  FaceOverlayFilter,
  type Filter,
  GStreamerFilter,
  ZBarFilter,
} from "../src/objects/filters.js";
import { PlateDetectorFilter } from "../src/objects/plate-detector-filter.js";

const seconds = Number(process.argv[2] ?? 10);
/** Only the filters whose name contains this (e.g. "Plate"); the baseline always runs. */
const only = process.argv[3] ?? "";
const publicDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../public");

// The filters only need a pipeline to register with; the bench runs their GStreamer elements alone.
const pipe = {
  id: "bench",
  element: () => undefined,
  topologyChanged: () => {},
  invoke: async () => "",
  settled: async () => {},
  filterContext: { publicDir, overlayImageHosts: [] },
} as unknown as ConstructorParameters<typeof EdgeDetectFilter>[0];
const none = () => {};
// Released at the end: it owns a folder for the frames it reads.
const plates = new PlateDetectorFilter(pipe, none);

const filters: Array<[string, () => Promise<FilterGst[]>]> = [
  ["no filter (decode + encode)", async () => [{ name: "r0f0", inline: [] }]],
  ["EdgeDetectFilter", async () => [new EdgeDetectFilter(pipe, none).gstElements("r0f0")]],
  ["FaceBlurFilter", async () => [new FaceBlurFilter(pipe, none).gstElements("r0f0")]],
  ["FaceOverlayFilter (events only)", async () => [new FaceOverlayFilter(pipe, none).gstElements("r0f0")]],
  [
    "FaceOverlayFilter (with image)",
    async () => {
      const f = new FaceOverlayFilter(pipe, none);
      await f.invoke("setOverlayedImage", {
        uri: "/media/img/overlay.png",
        offsetXPercent: -0.35,
        offsetYPercent: -1.2,
        widthPercent: 1.6,
        heightPercent: 1.6,
      });
      return [f.gstElements("r0f0")];
    },
  ],
  ["ZBarFilter", async () => [new ZBarFilter(pipe, none).gstElements("r0f0")]],
  // Detection only: the test pattern shows no plate, so tesseract (a process of its own) never runs.
  ["PlateDetectorFilter", async () => [plates.gstElements("r0f0")]],
  ["GStreamerFilter videoflip", async () => [flip("videoflip method=horizontal-flip")]],
  ["GStreamerFilter videobalance", async () => [flip("videobalance saturation=0.0")]],
];

function flip(command: string): FilterGst {
  return (new GStreamerFilter(pipe, none, command) as Filter).gstElements("r0f0");
}

const bind = (): Promise<Socket> =>
  new Promise((resolve) => {
    const s = createSocket("udp4");
    s.bind(0, "127.0.0.1", () => resolve(s));
  });

function cpuTicks(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return Number(fields[11]) + Number(fields[12]);
}

const stop = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });

async function measure(build: () => Promise<FilterGst[]>, fps: number) {
  const relay = await bind();
  const out = await bind();
  const probe = await bind();
  const inPort = probe.address().port;
  await new Promise<void>((r) => probe.close(() => r()));

  const argv = gstLaunchArgv([{ inPort, outPort: out.address().port, filters: await build() }]);
  const filter = spawn("gst-launch-1.0", argv, { stdio: "ignore" });
  const source = spawn(
    "gst-launch-1.0",
    [
      "-q",
      "videotestsrc",
      "is-live=true",
      "pattern=smpte",
      "horizontal-speed=4",
      "!",
      `video/x-raw,width=640,height=480,framerate=${fps}/1`,
      "!",
      "vp8enc",
      "deadline=1",
      "cpu-used=8",
      "lag-in-frames=0",
      "keyframe-max-dist=30",
      "target-bitrate=1200000",
      "!",
      "rtpvp8pay",
      "pt=96",
      "mtu=1200",
      "!",
      "udpsink",
      "host=127.0.0.1",
      `port=${relay.address().port}`,
    ],
    { stdio: "ignore" },
  );

  let lastSent = Number.NaN;
  const latencies: number[] = [];
  let received = 0;
  let measuring = false;
  relay.on("message", (buf) => {
    relay.send(buf, inPort, "127.0.0.1");
    if ((buf[1]! & 0x80) !== 0) lastSent = performance.now();
  });
  out.on("message", (buf) => {
    if (!measuring || (buf[1]! & 0x80) === 0) return;
    received++;
    latencies.push(performance.now() - lastSent);
  });

  await new Promise((r) => setTimeout(r, 3000));
  measuring = true;
  const ticks0 = cpuTicks(filter.pid!);
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const elapsed = (performance.now() - t0) / 1000;
  const ticks = cpuTicks(filter.pid!) - ticks0;
  measuring = false;
  await Promise.all([stop(source), stop(filter)]);
  relay.close();
  out.close();

  latencies.sort((a, b) => a - b);
  const pct = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? NaN;
  return {
    fps: received / elapsed,
    p50: pct(0.5),
    p95: pct(0.95),
    cpu: (ticks / 100 / elapsed) * 100,
  };
}

console.log(
  `machine: ${cpus().length}× ${cpus()[0]?.model ?? "cpu"}, load ${readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ")}`,
);
console.log(
  "| filter | output fps (30 in) | added latency p50 (ms) | p95 (ms) | CPU of its gst-launch at 30 fps (% of one core) |",
);
console.log("|---|---|---|---|---|");
for (const [name, build] of filters.filter(([n], i) => i === 0 || n.includes(only))) {
  const live = await measure(build, 30);
  const paced = await measure(build, 10);
  console.log(
    `| ${name} | ${live.fps.toFixed(1)} | ${paced.p50.toFixed(1)} | ${paced.p95.toFixed(1)} | ${live.cpu.toFixed(0)} |`,
  );
}
await plates.release();
