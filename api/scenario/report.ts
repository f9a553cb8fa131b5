import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { lineChart, type Point, writePng } from "@platform/plots";
import type { Summary } from "../src/model/stats.js";
import { toCsv } from "./csv.js";
import {
  type FleetSample,
  type JobRow,
  jobRow,
  type RecordedJob,
  type RunSummary,
  summarizeRun,
  workerRows,
} from "./timeline.js";

// npm run scenario:report -- <run>: the run's event logs as CSV (per job, per worker), PNG plots and
// a summary, next to the run's own files.

const JOB_COLUMNS = [
  "index",
  "jobid",
  "clip",
  "speed",
  "bitrate",
  "status",
  "attempts",
  "worker",
  "received",
  "assigned",
  "transcodeStarted",
  "uploadStarted",
  "completed",
  "queueSeconds",
  "prepareSeconds",
  "transcodeSeconds",
  "uploadSeconds",
  "processingSeconds",
  "totalSeconds",
] as const satisfies readonly (keyof JobRow)[];
const JOB_TIMES = ["received", "assigned", "transcodeStarted", "uploadStarted", "completed"];

export interface Run {
  started: number;
  jobs: RecordedJob[];
  samples: FleetSample[];
}

export function readRun(dir: string): Run {
  const read = <T>(name: string): T => {
    try {
      return JSON.parse(readFileSync(join(dir, name), "utf8")) as T;
    } catch (e) {
      throw new Error(
        `${join(dir, name)} is missing or not JSON (${(e as Error).message}): is ${dir} a scenario run?`,
      );
    }
  };
  return {
    started: read<{ started: number }>("run.json").started,
    jobs: read("jobs.json"),
    samples: read("samples.json"),
  };
}

export async function writeReport(dir: string, run: Run): Promise<RunSummary> {
  const rows = run.jobs.map(jobRow).filter((r): r is JobRow => r !== undefined);
  const summary = summarizeRun(run.jobs, run.samples);
  writeFileSync(join(dir, "jobs.csv"), toCsv(rows, JOB_COLUMNS, JOB_TIMES));
  writeFileSync(
    join(dir, "workers.csv"),
    toCsv(
      workerRows(run.jobs),
      ["worker", "jobs", "busySeconds", "firstAssigned", "lastCompleted"],
      ["firstAssigned", "lastCompleted"],
    ),
  );
  writeFileSync(
    join(dir, "fleet.csv"),
    toCsv(
      run.samples,
      ["t", "desired", "running", "busyWorkers", "liveWorkers", "queueDepth", "cpuPercent", "memoryPercent"],
      ["t"],
    ),
  );
  const at = (t: number) => (t - run.started) / 1000;
  const perJob = (value: (r: JobRow) => number | null): Point[] =>
    rows.flatMap((r) => (value(r) === null ? [] : [[at(r.received), value(r)!] as const]));
  const perSample = (value: (s: FleetSample) => number | null): Point[] =>
    run.samples.flatMap((s) => (value(s) === null ? [] : [[at(s.t), value(s)!] as const]));
  const lines = (s: Summary, unit: string) =>
    s.mean === null
      ? []
      : [
          { y: s.mean, label: `mean ${s.mean.toFixed(1)} ${unit}` },
          { y: s.p95!, label: `p95 ${s.p95!.toFixed(1)} ${unit}` },
        ];

  await writePng(
    join(dir, "queue-delay.png"),
    lineChart({
      title: "Queue delay (submitted → assigned) by submission time",
      xName: "seconds into the run",
      yName: "seconds",
      series: [{ name: "queue delay", points: perJob((r) => r.queueSeconds) }],
      thresholds: lines(summary.queueSeconds, "s"),
    }),
  );
  await writePng(
    join(dir, "processing-time.png"),
    lineChart({
      title: "Processing time (assigned → completed) by submission time",
      xName: "seconds into the run",
      yName: "seconds",
      series: [{ name: "processing time", points: perJob((r) => r.processingSeconds) }],
      thresholds: lines(summary.processingSeconds, "s"),
    }),
  );
  await writePng(
    join(dir, "utilization.png"),
    lineChart({
      title: "Worker tasks' CPU and memory (AWS/ECS, % of what they reserve)",
      xName: "seconds into the run",
      yName: "percent",
      series: [
        { name: "CPU", points: perSample((s) => s.cpuPercent) },
        { name: "memory", points: perSample((s) => s.memoryPercent) },
      ],
      thresholds: lines(summary.cpuPercent, "% CPU"),
    }),
  );
  await writePng(
    join(dir, "fleet.png"),
    lineChart({
      title: "Busy workers, running and desired tasks, queue depth",
      xName: "seconds into the run",
      yName: "count",
      series: [
        { name: "busy workers", step: true, points: perSample((s) => s.busyWorkers) },
        { name: "running tasks", step: true, points: perSample((s) => s.running) },
        { name: "desired tasks", step: true, points: perSample((s) => s.desired) },
        { name: "queue depth", step: true, points: perSample((s) => s.queueDepth) },
      ],
    }),
  );
  writeFileSync(join(dir, "report.md"), summaryMarkdown(summary));
  return summary;
}

const fmt = (v: number | null, digits = 1) => (v === null ? "–" : v.toFixed(digits));

export function summaryMarkdown(s: RunSummary): string {
  return [
    "| jobs submitted | completed | failed | completed twice | queue delay mean / p95 (s) | processing mean / p95 (s) | CPU mean / p95 (%) | memory mean / p95 (%) | task-seconds | jobs/min |",
    "|---|---|---|---|---|---|---|---|---|---|",
    `| ${s.submitted} | ${s.completed} | ${s.failed} | ${s.completedTwice} | ${fmt(s.queueSeconds.mean)} / ${fmt(s.queueSeconds.p95)} | ${fmt(s.processingSeconds.mean)} / ${fmt(s.processingSeconds.p95)} | ${fmt(s.cpuPercent.mean)} / ${fmt(s.cpuPercent.p95)} | ${fmt(s.memoryPercent.mean)} / ${fmt(s.memoryPercent.p95)} | ${fmt(s.taskSeconds, 0)} | ${fmt(s.jobsPerMinute)} |`,
    "",
    "Plots: queue-delay.png, processing-time.png, utilization.png, fleet.png. Rows: jobs.csv, workers.csv, fleet.csv.",
    "",
  ].join("\n");
}

async function main(): Promise<void> {
  const dir = process.argv[2];
  if (!dir) throw new Error("usage: npm run scenario:report -- <run directory>");
  const summary = await writeReport(resolve(dir), readRun(resolve(dir)));
  process.stdout.write(summaryMarkdown(summary));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((e: Error) => {
    console.error(`scenario:report: ${e.message}`);
    process.exitCode = 1;
  });
}
