/**
 * CPU per pipeline, whole server side: the media server process (werift: ICE, DTLS-SRTP, RTP
 * forwarding) plus its gst-launch, while headless Chromium sends its fake camera (640×480, 30 fps)
 * through each filter and decodes the result. The plate detector runs last, with a camera that
 * shows a plate (test/helpers/plate-fixture.ts), so its tesseract reads count: they are the server's
 * children, measured from its cutime/cstime (gst-launch, also a child, exits only after the window).
 *
 *   npx tsc -b media-server && node media-server/dist/bench/pipeline-cpu.js [seconds] [only,these,filters]
 *
 * (compiled, not through tsx: tsx's helpers would leak into the functions sent to the page)
 */
import "../test/helpers/page-globals.js";
import { readFileSync } from "node:fs";
import { cpus } from "node:os";
import { gstSpawnObservers, runningGstPids } from "../src/media/gst-process.js";
import { buildAssets } from "../test/helpers/assets.js";
import { launchChromium } from "../test/helpers/browser.js";
import { measureReceivedVideo } from "../test/helpers/page-measure.js";
import { plateY4m } from "../test/helpers/plate-fixture.js";
import { startTestServer } from "../test/helpers/server.js";

const seconds = Number(process.argv[2] ?? 8);
const only = process.argv[3]?.split(",");
const ticks = (pid: number, children = false) => {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return children ? Number(f[13]) + Number(f[14]) : Number(f[11]) + Number(f[12]);
  } catch {
    return 0;
  }
};

await buildAssets();
const server = await startTestServer();
const browser = await launchChromium();
let gstPid = 0;
gstSpawnObservers.add((pid) => {
  gstPid = pid;
});

console.log(
  `machine: ${cpus().length}× ${cpus()[0]?.model}, load ${readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ")}`,
);
console.log(
  "| filter | received fps | server process (% of one core) | gst-launch (% of one core) | total |",
);
console.log("|---|---|---|---|---|");
const plateBrowser = await launchChromium(plateY4m());
const runs: Array<[string, typeof browser]> = [
  ...["loopback", "edge", "faceblur", "faceoverlay", "zbar", "flip"].map((f): [string, typeof browser] => [
    f,
    browser,
  ]),
  ["plate", plateBrowser],
];
for (const [filter, camera] of runs.filter(([f]) => !only || only.includes(f))) {
  gstPid = 0;
  const page = await camera.newPage();
  await page.goto(`${server.url}/media/`);
  await page.evaluate((f) => window.mediaDemo.start(f, "maintain-resolution"), filter);
  await measureReceivedVideo(page, 1);
  const cpu0 = process.cpuUsage();
  const gst0 = gstPid ? ticks(gstPid) : 0;
  const ocr0 = ticks(process.pid, true);
  const t0 = performance.now();
  const measured = await measureReceivedVideo(page, seconds);
  const elapsed = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const serverPct = ((cpu.user + cpu.system) / 1e6 / elapsed) * 100;
  const gstPct = gstPid ? ((ticks(gstPid) - gst0) / 100 / elapsed) * 100 : 0;
  const ocrPct = ((ticks(process.pid, true) - ocr0) / 100 / elapsed) * 100;
  const ocr = ocrPct > 0 ? ` (+ ${ocrPct.toFixed(0)} tesseract)` : "";
  console.log(
    `| ${filter} | ${measured.fps.toFixed(1)} | ${serverPct.toFixed(0)}${ocr} | ${gstPid ? gstPct.toFixed(0) : "– (no process)"} | ${(serverPct + gstPct + ocrPct).toFixed(0)} |`,
  );
  await page.evaluate(() => window.mediaDemo.stop());
  await page.close();
}
await plateBrowser.close();
await browser.close();
await server.close();
console.log(`gst-launch processes left: ${runningGstPids.size}`);
