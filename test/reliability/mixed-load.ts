import { spawnSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { sleep } from "@platform/local-region/testing";
import { pushAppVariant } from "../src/app-image.js";
import { targetStateSeries, versionShareSeries } from "../src/deploy-series.js";
import {
  type DeployRecord,
  deployFigures,
  deployMarkers,
  deployName,
  deploySucceeded,
} from "../src/deploy-summary.js";
import { ecsDeploy } from "../src/ecs-cli.js";
import { type ConnectionRecord, checkEventLog, socketFigures } from "../src/event-log-check.js";
import { frameFigures } from "../src/frame-gaps.js";
import { jobOutcomes } from "../src/job-outcomes.js";
import { JobTraffic } from "../src/job-traffic.js";
import { latencyFigures, timeline } from "../src/latency.js";
import { LbClients } from "../src/lb-client.js";
import type { Sample } from "../src/load.js";
import { isFailure, jsonField } from "../src/load-summary.js";
import { MediaSessionWatch } from "../src/media-session-watch.js";
import { type RateStream, startOpenLoop } from "../src/open-loop-load.js";
import { LocalRegionProcess } from "../src/region-process.js";
import { writeResult } from "../src/reliability-results.js";
import { ResumingEventClient } from "../src/resuming-events.js";
import { latestServiceDeployment, shiftingService } from "../src/service-deployments.js";
import { watchTargetStates } from "../src/target-states.js";

// Issue 15, scenario 1 (full form): deploys under mixed load. The platform from `npm start`; three
// deploys of api-qa (ROLLING: a spec override, qa ships BLUE_GREEN), two of api-prod (CANARY as the
// spec sets it, bakes shortened) and two of media-server-qa (BLUE_GREEN, as the spec sets it), each
// service's deploys one after the other with the real `ecs deploy`, the three services side by side;
// meanwhile open-loop HTTP through the load balancer (≥ 200/s, keep-alive and new connections, qa and
// prod), resuming WebSocket event clients on the API (qa and prod), a WebRTC session through a filter
// on media-server-qa in headless Chromium, and transcoding jobs on qa and prod. Exit 0 only when no
// request failed, every socket the service closed got 1001 and resumed with nothing missed or
// repeated, the media session never went without frames longer than MEDIA_GAP_BOUND_MS, and every
// job completed exactly once. node test/dist/reliability/mixed-load.js

const QA = "qa.localhost";
const PROD = "localhost";
/** The whole run, platform start to stop, stays under 25 min: each wait below is bounded. */
const RUN_BOUND_MS = 25 * 60_000;
/** The media session must continue, or reconnect by itself, with no gap in decoded frames longer than this. */
const MEDIA_GAP_BOUND_MS = 30_000;
/** Bakes shortened for the run (the spec: api-prod canary 10 min at 10 %, then 15 min; qa 5 min). */
const BAKE_CAP_SECONDS = 15;
/** api-prod keeps the spec's strategy and canary share (10 %), with its two bakes shortened to 1 min (then capped). */
const PROD_CANARY = {
  strategy: "CANARY",
  bakeTimeInMinutes: 1,
  canaryConfiguration: { canaryPercent: 10, canaryBakeTimeInMinutes: 1 },
} as const;
const SOCKETS_PER_ENV = 3;
/** Requests in flight (all streams) past which a due request is counted as not sent: the open loop's bound. */
const MAX_IN_FLIGHT = 400;
const JOB_EVERY_MS = { qa: 6_000, prod: 5_000 };

interface Lane {
  service: string;
  app: "api" | "media-server";
  strategy: string;
  rounds: number;
  flags: string[];
}

const LANES: Lane[] = [
  // ROLLING watches the alarms after the rollout unless told not to (2 min here): the bake is 0.
  { service: "api-qa", app: "api", strategy: "ROLLING", rounds: 3, flags: ["--bake-time", "0"] },
  { service: "api-prod", app: "api", strategy: "CANARY", rounds: 2, flags: [] },
  { service: "media-server-qa", app: "media-server", strategy: "BLUE_GREEN", rounds: 2, flags: [] },
];

const RATES: {
  name: string;
  host: string;
  connections: "keep-alive" | "new";
  perSecond: number;
  paths: string[];
}[] = [
  {
    name: "qa keep-alive",
    host: QA,
    connections: "keep-alive",
    perSecond: 60,
    paths: ["/api/v1/version", "/healthz"],
  },
  { name: "qa new connections", host: QA, connections: "new", perSecond: 20, paths: ["/api/v1/version"] },
  { name: "qa media", host: QA, connections: "keep-alive", perSecond: 20, paths: ["/media/version"] },
  {
    name: "prod keep-alive",
    host: PROD,
    connections: "keep-alive",
    perSecond: 80,
    paths: ["/api/v1/version"],
  },
  { name: "prod new connections", host: PROD, connections: "new", perSecond: 30, paths: ["/healthz"] },
];

const runStarted = Date.now();
const deadline = runStarted + RUN_BOUND_MS;
const left = () => Math.max(1_000, deadline - Date.now() - 120_000);

async function main(): Promise<number> {
  const region = await LocalRegionProcess.start("reliability-mixed-load", {
    deployments: [
      { env: "qa", app: "api", deployment: { strategy: "ROLLING" } },
      { env: "prod", app: "api", deployment: PROD_CANARY },
    ],
    maxDeploymentBakeSeconds: BAKE_CAP_SECONDS,
  });
  // The watchdog: whatever hangs, the region is stopped by its PID and the run ends in time.
  const watchdog = setTimeout(() => {
    console.error("mixed-load: the run bound passed; stopping the region");
    void region.stop().finally(() => process.exit(3));
  }, deadline - Date.now());
  watchdog.unref();
  // Stopped by hand (Ctrl-C, kill <pid>): the region and its tasks go too, not left behind.
  for (const signal of ["SIGINT", "SIGTERM"] as const)
    process.once(signal, () => {
      console.error(`mixed-load: ${signal}; stopping the region`);
      void region.stop().finally(() => process.exit(4));
    });
  const clients = new LbClients();
  const work = await mkdtemp(join(tmpdir(), "mixed-load-"));
  try {
    return await run(region, clients, work);
  } finally {
    clients.closeAll();
    await region.stop();
    await rm(work, { recursive: true, force: true });
    clearTimeout(watchdog);
  }
}

async function run(region: LocalRegionProcess, lbClients: LbClients, work: string): Promise<number> {
  const ports = region.ports;
  const keys = region.apiKeys();

  // A 2 s clip, generated (nothing downloaded), uploaded to each environment's storage.
  const clip = join(work, "clip.mp4");
  const ffmpeg = spawnSync("ffmpeg", [
    ...["-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi"],
    ...["-i", "testsrc2=size=320x240:rate=25:duration=2", "-c:v", "libx264", "-preset", "ultrafast"],
    ...["-pix_fmt", "yuv420p", clip],
  ]);
  if (ffmpeg.status !== 0) throw new Error(`ffmpeg: ${ffmpeg.stderr}`);
  const jobs = {
    qa: new JobTraffic("qa", { port: ports.http, host: QA, apiKey: keys.qa }),
    prod: new JobTraffic("prod", { port: ports.http, host: PROD, apiKey: keys.prod }),
  };
  for (const j of Object.values(jobs)) await j.upload(clip, "in/clip.mp4");

  const sockets = {
    qa: await openSockets(ports.http, QA, keys.qa),
    prod: await openSockets(ports.http, PROD, keys.prod),
  };
  const media = await MediaSessionWatch.start(`http://qa.localhost:${ports.http}/media/`, "flip");

  // Every deploy's image built and pushed before the load: a build runs in this process and would
  // stall the load generator's event loop (the requests it delays would count as the platform's).
  const images = await buildLaneImages(region);
  // api-prod's two groups (its canary moves between them), by name: the targets-by-state plot.
  const pair = await shiftingService(region, "api-prod");
  const targetWatch = watchTargetStates(
    region.clients().elb,
    [pair.blue, pair.green].map((arn) => ({ name: arn.split("/")[1] ?? arn, arn })),
  );
  const loadStarted = Date.now();
  const load = startOpenLoop(
    RATES.map(
      (r): RateStream => ({
        name: r.name,
        perSecond: r.perSecond,
        client: lbClients.open({ port: ports.http, connections: r.connections }),
        requests: r.paths.map((path) => ({ host: r.host, path })),
      }),
    ),
    { maxMs: left(), maxInFlight: MAX_IN_FLIGHT },
  );
  jobs.qa.start("objects://in/clip.mp4", JOB_EVERY_MS.qa);
  jobs.prod.start("objects://in/clip.mp4", JOB_EVERY_MS.prod);

  let samples: Sample[] = [];
  const deploys: DeployRecord[] = [];
  const deployErrors: string[] = [];
  try {
    await sleep(10_000);
    await Promise.all(
      LANES.map((lane) =>
        runLane(region, lane, images.get(lane.service) ?? [], deploys).catch((error: Error) => {
          deployErrors.push(`${lane.service}: ${error.message}`);
        }),
      ),
    );
    const closes = [...sockets.qa, ...sockets.prod].flatMap((c) =>
      c.connections.map((x) => x.closeCode ?? "open"),
    );
    console.log(
      `mixed-load: deploys done; WebSocket connections so far, by close code: ${JSON.stringify(countOf(closes.map(String)))}`,
    );
    // Traffic after the last deploy too, then no new jobs; the queued ones finish.
    await sleep(10_000);
    await Promise.all(Object.values(jobs).map((j) => j.stop()));
    await waitForJobs(Object.values(jobs));
    samples = await load.stop();
  } finally {
    samples = await load.stop();
    await Promise.all(Object.values(jobs).map((j) => j.stop()));
  }
  const targetReadings = await targetWatch.stop();
  // Every client caught up with the last event before it is stopped.
  const readLogs = async () => ({
    qa: await attempt("qa's event log", () => jobs.qa.fullEventLog(), []),
    prod: await attempt("prod's event log", () => jobs.prod.fullEventLog(), []),
  });
  const logs = await readLogs();
  await waitForSockets(sockets, logs);
  for (const s of [...sockets.qa, ...sockets.prod]) await s.stop();
  await media.stop();
  const finalLogs = await readLogs();
  const states = { qa: await jobs.qa.states(), prod: await jobs.prod.states() };

  const checked = (["qa", "prod"] as const).flatMap((env) =>
    sockets[env].map((client, i) => ({
      name: `${env} ${i + 1}`,
      connections: client.connections,
      refusals: client.refusals,
      check: checkEventLog(
        client.received,
        finalLogs[env].map((e) => e.seq),
        client.from,
      ),
    })),
  );
  const ws = socketFigures(checked);
  const frames = frameFigures(media.readings);
  const outcomes = {
    qa: jobOutcomes(jobs.qa.jobIds, finalLogs.qa),
    prod: jobOutcomes(jobs.prod.jobIds, finalLogs.prod),
  };
  const failed = samples.filter(isFailure);
  const all = latencyFigures(samples);
  const durationS = (Math.max(...samples.map((s) => s.startedAt)) - loadStarted) / 1000;
  const uncleanCloses = Object.entries(ws.closesByCode).filter(([code]) => code !== "1001");
  const jobSum = (pick: (o: ReturnType<typeof jobOutcomes>) => number) =>
    pick(outcomes.qa) + pick(outcomes.prod);

  const pass = {
    "every deploy succeeded":
      deploys.length === 7 && deploys.every(deploySucceeded) && deployErrors.length === 0,
    "no failed HTTP request": failed.length === 0 && load.skipped() === 0,
    "every socket closed by the service got 1001": uncleanCloses.length === 0,
    "every closed socket resumed with ?lastMod=": ws.notResumed === 0,
    "no event missed or repeated on resume": ws.missed + ws.repeated + ws.unknown + ws.outOfOrder === 0,
    [`media: no gap in decoded frames over ${MEDIA_GAP_BOUND_MS / 1000} s`]:
      frames.frames > 0 && frames.longestGapMs <= MEDIA_GAP_BOUND_MS,
    "every read after the load answered": readErrors.length === 0,
    "every job completed exactly once":
      jobSum((o) => o.submitted - o.completed) === 0 && jobSum((o) => o.duplicated.length) === 0,
  };
  const passed = Object.values(pass).every(Boolean);
  const path = await writeResult({
    scenario: "mixed-load",
    ranAt: new Date(loadStarted).toISOString(),
    machine: { cpus: cpus().length, loadAverage: loadavg(), node: process.version },
    streams: Object.fromEntries(
      RATES.map((r) => [r.name, latencyFigures(samples.filter((s) => s.stream === r.name))]),
    ),
    timeline: timeline(samples, loadStarted, 1000),
    markers: deployMarkers(deploys, loadStarted),
    plots: [
      {
        name: "api-prod-targets",
        title: "api-prod's targets by state in its two target groups (two canary deploys)",
        yName: "targets",
        series: targetStateSeries(targetReadings, loadStarted),
      },
      {
        name: "prod-versions",
        title: "share of production's /api/v1/version answers per version (commit) over the run",
        yName: "% of answered requests in the second",
        series: versionShareSeries(
          samples.filter((s) => s.host === PROD && s.path === "/api/v1/version"),
          loadStarted,
          1000,
          // The variants' commits differ only after their service and round: keep those, not a prefix.
          (s) =>
            jsonField("commit")(s)
              ?.replace(/-\d{10,}$/, "")
              .slice(0, 24),
        ),
      },
    ],
    figures: {
      ...Object.fromEntries(Object.entries(pass).map(([k, v]) => [`pass: ${k}`, v])),
      ...deployFigures(deploys, loadStarted),
      ...(deployErrors.length > 0 && { "deploy errors": deployErrors.join("; ") }),
      ...(readErrors.length > 0 && { "reads that failed after the load": readErrors.join("; ") }),
      "HTTP requests (all streams)": all.requests,
      "HTTP rate sent, requests/s": Number((all.requests / durationS).toFixed(1)),
      "HTTP failed": failed.length,
      "HTTP failures: stream, status": summarizeFailures(failed),
      "HTTP not sent (in-flight cap)": load.skipped(),
      "HTTP p50 / p95 / p99 / max ms (answered)": `${all.p50Ms} / ${all.p95Ms} / ${all.p99Ms} / ${all.maxMs}`,
      "WebSocket clients (qa + prod)": ws.clients,
      "WebSocket closes by the service, by code": JSON.stringify(ws.closesByCode),
      "WebSocket resumes (?lastMod=)": ws.resumes,
      "WebSocket closes not resumed": ws.notResumed,
      "WebSocket events received (all clients)": checked.reduce((n, c) => n + c.check.received, 0),
      "WebSocket events missed / repeated / unknown / out of order": `${ws.missed} / ${ws.repeated} / ${ws.unknown} / ${ws.outOfOrder}`,
      ...Object.fromEntries(
        checked.map((c) => [
          `WebSocket ${c.name}: connections (opened s → close code at s)`,
          connectionLine(c.connections, loadStarted),
        ]),
      ),
      "WebSocket refused reconnect attempts, first ones":
        [...new Set(checked.flatMap((c) => c.refusals))].slice(0, 3).join("; ") || 0,
      "WebSocket refused reconnect attempts": checked.reduce((n, c) => n + c.refusals.length, 0),
      "media: frames decoded": frames.frames,
      "media: longest gap without a new frame, s": frames.longestGapMs / 1000,
      "media: longest gap began at, s":
        frames.longestGapFrom === undefined ? "—" : ((frames.longestGapFrom - loadStarted) / 1000).toFixed(1),
      "media: reconnects (by the page itself)": frames.reconnects,
      "media: gap bound, s": MEDIA_GAP_BOUND_MS / 1000,
      "jobs submitted (qa / prod)": `${outcomes.qa.submitted} / ${outcomes.prod.submitted}`,
      "jobs completed exactly once": jobSum((o) => o.completed),
      "jobs completed twice or more": jobSum((o) => o.duplicated.length),
      "jobs not completed":
        [...outcomes.qa.notCompleted, ...outcomes.prod.notCompleted]
          .map((id) => `${id} ${states.qa[id] ?? states.prod[id]}`)
          .join(", ") || 0,
      "jobs failed": jobSum((o) => o.failed.length),
      "jobs handed back and redone (JobRequeued)": jobSum((o) => o.requeued),
      "job submissions retried": jobs.qa.retries + jobs.prod.retries,
      "job submission errors": [...jobs.qa.errors, ...jobs.prod.errors].join("; ") || 0,
      "run, platform start to results, s": Math.round((Date.now() - runStarted) / 1000),
    },
    notes: [
      `Bakes shortened for the run: api-prod's CANARY (spec: 10 % for 10 min, then a 15 min bake) overridden to 10 % for 1 min and a 1 min bake, and every bake capped at ${BAKE_CAP_SECONDS} s (local.maxDeploymentBakeSeconds); media-server-qa's BLUE_GREEN 5 min bake capped the same way. api-qa is ROLLING by a spec override (qa ships BLUE_GREEN), deployed with --bake-time 0 (no alarm watch after the rollout).`,
      "Each deploy is a new image of the working tree with a commit of its own (pushAppVariant), all built and pushed before the load starts (a build runs in this process and can stall the load generator's event loop, as hostile.ts found); a deploy's time is `ecs deploy`'s, from its start to its exit; its outcome is the service deployment's status once the service is steady again (old tasks drained and stopped). The three services deploy side by side, each one's deploys one after the other (the next once the service is steady).",
      `HTTP: open loop (each stream sends at its rate whatever the answers take), ${RATES.reduce((n, r) => n + r.perSecond, 0)} requests/s in all through the load balancer; a failure is anything but a 200, or no answer within the client's 10 s socket timeout (a new connection's request is timed from its connect; a keep-alive request waiting for one of its client's 16 sockets is not timed while it waits). A due request with ${MAX_IN_FLIGHT} already in flight is not sent and counted (the rate sent is below the rate asked when answers are slow).`,
      "WebSockets: /api/v1/ws through the load balancer; a client the service closes opens again with ?lastMod=<the last seq it saw>; at the end each client's events are held against the service's whole event log read over HTTP (every job's events): every seq after its first hello up to its last one, once, in order.",
      `Media: the demo page (media-server/src/client/demo.ts, which reconnects by itself when its server goes away) in headless Chromium with a fake camera, through the load balancer, filter videoflip; framesDecoded read every 250 ms. Bound: no gap without a new frame over ${MEDIA_GAP_BOUND_MS / 1000} s.`,
      "Jobs: a 2 s 320×240 clip, h264 240p ultrafast, one job every 6 s on qa and 5 s on prod, each with its own clientRequestToken (a retried submission is the same job); exactly once = one JobFinished event per job in the event log.",
    ],
  });
  console.log(
    [
      `mixed-load: ${passed ? "PASS" : "FAIL"} ${JSON.stringify(pass)}`,
      `deploys ${deploys.map((d) => `${deployName(d)} ${((d.endedAt - d.startedAt) / 1000).toFixed(0)} s ${d.outcome}`).join(", ")}`,
      `HTTP ${all.requests} (${failed.length} failed, ${load.skipped()} not sent), p50/p95/p99 ${all.p50Ms}/${all.p95Ms}/${all.p99Ms} ms`,
      `WS ${JSON.stringify(ws)}`,
      `media ${JSON.stringify(frames)}`,
      `jobs ${JSON.stringify(outcomes)}`,
      `results ${path}`,
    ].join("\n"),
  );
  return passed ? 0 : 1;
}

async function openSockets(port: number, host: string, apiKey: string): Promise<ResumingEventClient[]> {
  return Promise.all(
    Array.from({ length: SOCKETS_PER_ENV }, () => ResumingEventClient.start({ port, host, apiKey })),
  );
}

/** Each lane's images, one per round, each a commit of its own, pushed to the service's repository. */
async function buildLaneImages(region: LocalRegionProcess): Promise<Map<string, string[]>> {
  const images = new Map<string, string[]>();
  for (const lane of LANES) {
    const uris: string[] = [];
    for (let round = 1; round <= lane.rounds; round++) {
      const commit = `mixed-${lane.service}-${round}-${Date.now()}`;
      uris.push((await pushAppVariant(region.clients().ecr, lane.app, lane.service, commit)).pinnedUri);
    }
    images.set(lane.service, uris);
    console.log(`mixed-load: ${lane.rounds} images of ${lane.service} built and pushed`);
  }
  return images;
}

async function runLane(
  region: LocalRegionProcess,
  lane: Lane,
  images: string[],
  deploys: DeployRecord[],
): Promise<void> {
  const aws = region.clients();
  for (let round = 1; round <= lane.rounds; round++) {
    const uri = images[round - 1];
    if (!uri) throw new Error(`no image built for ${lane.service} round ${round}`);
    const startedAt = Date.now();
    console.log(`mixed-load: ${lane.service} #${round} (${lane.strategy}) starts`);
    const result = await ecsDeploy(region, lane.service, { container: lane.app, uri }, [
      ...lane.flags,
      "--timeout",
      "420",
    ]);
    const endedAt = Date.now();
    // The CLI may exit while ECS still drains the old tasks (ROLLING: IN_PROGRESS): the outcome is
    // the service deployment's final status, once the service is steady again.
    await region.waitUntilSteady([lane.service], Math.min(240_000, left()));
    const sd = await latestServiceDeployment(aws, lane.service);
    deploys.push({
      service: lane.service,
      strategy: lane.strategy,
      round,
      startedAt,
      endedAt,
      exitCode: result.code,
      outcome: sd?.status ?? "unknown",
    });
    console.log(`mixed-load: ${lane.service} #${round} ends: exit ${result.code}, ${sd?.status}`);
    if (result.code !== 0) console.log(result.output.slice(-3000));
  }
}

async function waitForJobs(traffic: JobTraffic[]): Promise<void> {
  const until = Math.min(Date.now() + 300_000, deadline - 180_000);
  while (Date.now() < until) {
    const states = (await Promise.all(traffic.map((t) => t.states()))).flatMap((s) => Object.values(s));
    if (states.every((s) => ["COMPLETE", "ERROR", "CANCELED"].includes(s))) return;
    console.log(`mixed-load: jobs not final yet: ${JSON.stringify(countOf(states))}`);
    await sleep(3_000);
  }
}

const readErrors: string[] = [];

function connectionLine(connections: readonly ConnectionRecord[], origin: number): string {
  const s = (at: number | undefined) => (at === undefined ? "—" : ((at - origin) / 1000).toFixed(1));
  return connections
    .map(
      (c) =>
        `${c.lastMod === undefined ? "" : `lastMod=${c.lastMod} `}${s(c.openedAt)} → ${c.byClient ? "closed by the client" : (c.closeCode ?? "open")} at ${s(c.closedAt)}`,
    )
    .join("; ");
}

/** A read after the load whose failure must not lose the run's results: noted, and `fallback` used. */
async function attempt<T>(what: string, read: () => Promise<T>, fallback: T): Promise<T> {
  try {
    return await read();
  } catch (error) {
    readErrors.push(`${what}: ${(error as Error).message}`);
    return fallback;
  }
}

function countOf(values: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const v of values) counts[v] = (counts[v] ?? 0) + 1;
  return counts;
}

async function waitForSockets(
  sockets: Record<"qa" | "prod", ResumingEventClient[]>,
  logs: Record<"qa" | "prod", { seq: number }[]>,
): Promise<void> {
  const until = Date.now() + 20_000;
  while (Date.now() < until) {
    const behind = (["qa", "prod"] as const).some((env) => {
      const last = logs[env].at(-1)?.seq ?? 0;
      return sockets[env].some((s) => s.lastSeq() < last);
    });
    if (!behind) return;
    await sleep(500);
  }
}

function summarizeFailures(failed: readonly Sample[]): string {
  const counts = new Map<string, number>();
  for (const f of failed) {
    const key = `${f.stream} ${f.error ?? f.status}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([k, n]) => `${k} ×${n}`).join(", ") || "none";
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`mixed-load: ${error.stack ?? error.message}`);
    process.exit(2);
  },
);
