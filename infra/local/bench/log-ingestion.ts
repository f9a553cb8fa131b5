// Log ingestion at 10,000 lines/s: a task of the local region prints numbered JSON lines through
// the awslogs path, then PutLogEvents batches arrive at the same rate; every line must be stored
// (read back from the segments on disk, each number once) or counted as dropped with a reason, and
// the group's metric filter must count every error line. Prints the rates, the region's peak RSS
// and heap. The region runs in this process, the task in its own.
// Run: npx tsx infra/local/bench/log-ingestion.ts (node --expose-gc --import tsx ... adds the live heap)
// Env: BENCH_LINES_PER_SECOND (10000), BENCH_SECONDS (60), BENCH_PHASES ("task,put").
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { CloudWatchClient, GetMetricStatisticsCommand } from "@aws-sdk/client-cloudwatch";
import {
  CreateLogStreamCommand,
  DescribeLogStreamsCommand,
  PutLogEventsCommand,
  PutMetricFilterCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { EventStore } from "../src/services/logs/event-store.js";
import { STREAM_LIMITS } from "../src/services/logs/model.js";
import { diskSegments } from "../src/services/logs/segment-files.js";
import { EcsTestRegion, sleep, type TestApp, waitFor } from "../src/testing/index.js";

const RATE = Number(process.env.BENCH_LINES_PER_SECOND ?? 10_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const PHASES = (process.env.BENCH_PHASES ?? "task,put").split(",");
const BATCHES_PER_SECOND = 10;

interface PhaseResult {
  phase: string;
  sent: number;
  stored: number;
  seconds: number;
  errorsSent: number;
}

/**
 * The region's memory, sampled: peak RSS (and the kernel's high-water mark), peak heap, and with
 * `node --expose-gc` the peak of the heap left after a full collection every 5 s: what is live,
 * which tells bounded from growing where the peak heap mostly shows how lazily V8 collects.
 */
class MemoryPeaks {
  rss = 0;
  heap = 0;
  live = 0;
  private samples = 0;
  private readonly timer = setInterval(() => this.sample(), 200);

  sample(): void {
    const collect = (globalThis as { gc?: () => void }).gc;
    if (collect && ++this.samples % 25 === 0) {
      collect();
      this.live = Math.max(this.live, process.memoryUsage().heapUsed);
    }
    const m = process.memoryUsage();
    this.rss = Math.max(this.rss, m.rss);
    this.heap = Math.max(this.heap, m.heapUsed);
  }

  stop() {
    clearInterval(this.timer);
    const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"))?.[1];
    return { rss: this.rss, heap: this.heap, live: this.live, hwm: Number(hwm ?? 0) * 1024 };
  }
}

/**
 * Each line's number once, from the segments on disk, read by a store of its own; and the time
 * from the first line stored to the last, the rate's denominator.
 */
function storedNumbers(stateDir: string, group: string, stream: string) {
  const store = new EventStore(diskSegments(stateDir), STREAM_LIMITS);
  const seen = new Set<number>();
  let duplicates = 0;
  let first = Number.POSITIVE_INFINITY;
  let last = 0;
  for (const e of store.read({ group, stream })) {
    if (!e.message.startsWith("{")) continue;
    const seq = (JSON.parse(e.message) as { seq: number }).seq;
    if (seen.has(seq)) duplicates++;
    seen.add(seq);
    first = Math.min(first, e.ingestionTime);
    last = Math.max(last, e.ingestionTime);
  }
  if (duplicates > 0) throw new Error(`${duplicates} lines of ${stream} stored twice`);
  return { unique: seen.size, seconds: (last - first) / 1000 };
}

async function taskPhase(t: EcsTestRegion, app: TestApp, stateDir: string): Promise<PhaseResult> {
  const image = await t.pushImage(app, "logs", {
    LOG_LINES_PER_SECOND: String(RATE),
    LOG_SECONDS: String(SECONDS),
  });
  await t.createService(app, await t.registerApp(app, image));
  const group = `/ecs/${app.name}`;
  const stream = await waitFor(
    "the task's log stream",
    async () =>
      (await t.logs.send(new DescribeLogStreamsCommand({ logGroupName: group }))).logStreams?.[0]
        ?.logStreamName,
    30_000,
  );
  const done = await waitFor(
    "the task's last line",
    () => t.logsPlugin.tail(group, stream, 5).find((l) => l.startsWith("log lines done")),
    (SECONDS + 120) * 1000,
    500,
  );
  const sent = Number(done.split(" ").at(-1));
  const { unique, seconds } = storedNumbers(stateDir, group, stream);
  return { phase: "task stdout (awslogs)", sent, stored: unique, seconds, errorsSent: Math.ceil(sent / 10) };
}

async function putPhase(t: EcsTestRegion, group: string, stateDir: string): Promise<PhaseResult> {
  const stream = "put/1";
  await t.logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: stream }));
  const perBatch = Math.ceil(RATE / BATCHES_PER_SECOND);
  const batches = SECONDS * BATCHES_PER_SECOND;
  const started = performance.now();
  let seq = 0;
  let rejected = 0;
  for (let b = 0; b < batches; b++) {
    const due = started + (b * 1000) / BATCHES_PER_SECOND;
    if (performance.now() < due) await sleep(due - performance.now());
    const now = Date.now();
    const logEvents = Array.from({ length: perBatch }, () => {
      const n = seq++;
      return {
        timestamp: now,
        message: JSON.stringify({ level: n % 10 === 0 ? "error" : "info", seq: n, msg: "put" }),
      };
    });
    const out = await t.logs.send(
      new PutLogEventsCommand({ logGroupName: group, logStreamName: stream, logEvents }),
    );
    if (out.rejectedLogEventsInfo) rejected += perBatch;
  }
  const { unique, seconds } = storedNumbers(stateDir, group, stream);
  if (rejected > 0) console.log(`put: ${rejected} events in batches with rejectedLogEventsInfo`);
  return {
    phase: "PutLogEvents (SDK, 1 client)",
    sent: seq,
    stored: unique,
    seconds,
    errorsSent: Math.ceil(seq / 10),
  };
}

async function errorCount(t: EcsTestRegion, app: TestApp, from: number): Promise<number> {
  const cloudwatch = t.region.client(CloudWatchClient);
  const out = await cloudwatch.send(
    new GetMetricStatisticsCommand({
      Namespace: "Bench",
      MetricName: `Errors-${app.name}`,
      StartTime: new Date(Math.floor(from / 60_000) * 60_000),
      EndTime: new Date(Date.now() + 60_000),
      Period: 60,
      Statistics: ["Sum"],
    }),
  );
  return (out.Datapoints ?? []).reduce((n, d) => n + (d.Sum ?? 0), 0);
}

async function main(): Promise<void> {
  const stateDir = mkdtempSync(join(tmpdir(), "bench-logs-"));
  const t = await EcsTestRegion.start({ taskPorts: { from: 44100, to: 44199 }, stateDir });
  const memory = new MemoryPeaks();
  const failures: string[] = [];
  try {
    await t.createEdge();
    const app = await t.createApp("logs-bench", "logs.localhost", 10);
    const group = `/ecs/${app.name}`;
    await t.logs.send(
      new PutMetricFilterCommand({
        logGroupName: group,
        filterName: "errors",
        filterPattern: '{ $.level = "error" }',
        metricTransformations: [
          { metricNamespace: "Bench", metricName: `Errors-${app.name}`, metricValue: "1" },
        ],
      }),
    );
    const from = Date.now();
    const results: PhaseResult[] = [];
    if (PHASES.includes("task")) results.push(await taskPhase(t, app, stateDir));
    if (PHASES.includes("put")) results.push(await putPhase(t, group, stateDir));
    const counted = t.logsPlugin.ingestion();
    const dropped = Object.values(counted.dropped).reduce((a, b) => a + b, 0);
    for (const r of results) {
      const rate = r.sent / r.seconds;
      console.log(
        `${r.phase}: sent ${r.sent}, stored ${r.stored}, ${r.seconds.toFixed(1)} s, ${Math.round(rate)} lines/s achieved`,
      );
      if (r.stored !== r.sent && dropped < r.sent - r.stored) {
        failures.push(
          `${r.phase}: ${r.sent - r.stored - dropped} lines neither stored nor counted as dropped`,
        );
      }
    }
    console.log(`region counters: ${JSON.stringify(counted)}`);
    const errorsSent = results.reduce((n, r) => n + r.errorsSent, 0);
    const errorsCounted = await errorCount(t, app, from);
    console.log(`metric filter: ${errorsCounted} error lines counted of ${errorsSent} sent`);
    if (errorsCounted !== errorsSent)
      failures.push(`metric filter counted ${errorsCounted}, ${errorsSent} sent`);
    const peaks = memory.stop();
    const mib = (n: number) => `${(n / 2 ** 20).toFixed(0)} MiB`;
    const live = peaks.live > 0 ? `, live heap after collections at most ${mib(peaks.live)}` : "";
    console.log(
      `region: peak RSS ${mib(peaks.rss)} (kernel high-water mark ${mib(peaks.hwm)}), peak heap ${mib(peaks.heap)}${live}`,
    );
    console.log(
      `machine: ${cpus()[0]?.model} × ${cpus().length}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}`,
    );
  } finally {
    await t.region.cleanup();
    rmSync(stateDir, { recursive: true, force: true });
  }
  if (failures.length > 0) {
    console.error(`BENCH FAILED: ${failures.join("; ")}`);
    process.exit(1);
  }
}

main().catch((error: Error) => {
  console.error(`bench failed: ${error.stack ?? error.message}`);
  process.exit(1);
});
