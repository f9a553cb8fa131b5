/**
 * CPU per pipeline, whole server side: the media server process (werift: ICE, DTLS-SRTP, RTP
 * forwarding) plus its gst-launch, while headless Chromium sends its fake camera (640×480, 30 fps)
 * through each filter and decodes the result.
 *
 *   npx tsc -b media-server && node media-server/dist/bench/pipeline-cpu.js [seconds]
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
import { startTestServer } from "../test/helpers/server.js";

const seconds = Number(process.argv[2] ?? 8);
const ticks = (pid: number) => {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return Number(f[11]) + Number(f[12]);
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
for (const filter of ["loopback", "edge", "faceblur", "faceoverlay", "zbar", "flip"]) {
  gstPid = 0;
  const page = await browser.newPage();
  await page.goto(`${server.url}/media/`);
  await page.evaluate((f) => window.mediaDemo.start(f, "maintain-resolution"), filter);
  await measureReceivedVideo(page, 1);
  const cpu0 = process.cpuUsage();
  const gst0 = gstPid ? ticks(gstPid) : 0;
  const t0 = performance.now();
  const measured = await measureReceivedVideo(page, seconds);
  const elapsed = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const serverPct = ((cpu.user + cpu.system) / 1e6 / elapsed) * 100;
  const gstPct = gstPid ? ((ticks(gstPid) - gst0) / 100 / elapsed) * 100 : 0;
  console.log(
    `| ${filter} | ${measured.fps.toFixed(1)} | ${serverPct.toFixed(0)} | ${gstPid ? gstPct.toFixed(0) : "– (no process)"} | ${(serverPct + gstPct).toFixed(0)} |`,
  );
  await page.evaluate(() => window.mediaDemo.stop());
  await page.close();
}
await browser.close();
await server.close();
console.log(`gst-launch processes left: ${runningGstPids.size}`);
