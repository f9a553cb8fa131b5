import type { ServerResponse } from "node:http";
import type { MetricSink, RegionPlugin, RegionServices } from "../../contracts.js";
import { commitAfter } from "../../state/durable.js";
import type { LocalService } from "../local-service.js";
import type { IngestionCounters, IngestionSnapshot } from "./ingestion.js";
import { NO_METRICS, publishMetricData } from "./metric-publishing.js";
import type { LogsModel, LogsState } from "./model.js";
import { createLogsService } from "./service.js";

/** Where the task runner ships containers' output, as the awslogs driver does. */
export interface LogSink {
  /** Whether the log group exists (awslogs fails the task when it doesn't and may not create it). */
  hasGroup(group: string): boolean;
  createGroup(group: string): void;
  /** Appends lines to a stream, creating the stream on first use. */
  write(group: string, stream: string, lines: { timestamp: number; message: string }[]): void;
  /** The last lines of a stream (for a stopped task's cause). */
  tail(group: string, stream: string, count: number): string[];
}

/** A stream with this many unflushed lines is flushed at once, not at the next tick. */
const STREAM_FLUSH_LINES = 10_000;
/** Unflushed lines held in all, whatever the number of streams; past it everything is stored at once. */
export const MAX_BUFFERED_LINES = 200_000;
const RETENTION_SWEEP_MS = 60_000;
/** How often the region says it dropped lines, when it has. */
const DROP_REPORT_MS = 10_000;
export const INGESTION_ROUTE = "/_logs/ingestion";

type Line = { timestamp: number; message: string };

export interface LogsPluginOptions {
  log?: (message: string) => void;
}

/** CloudWatch Logs as a region plugin, and the sink the task runner writes to. */
export class LogsPlugin implements RegionPlugin, LogSink {
  readonly name = "logs";
  private service: (LocalService<LogsModel, LogsState> & { counters: IngestionCounters }) | undefined;
  private metrics: MetricSink = NO_METRICS;
  /** Container output not yet stored, by group and stream: stored together on the next turn. */
  private readonly pending = new Map<string, { group: string; stream: string; lines: Line[] }>();
  private pendingLines = 0;
  private flushQueued = false;
  private reportedDrops = 0;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly log: (message: string) => void;

  constructor(options: LogsPluginOptions = {}) {
    this.log = options.log ?? ((m) => console.error(m));
  }

  start(services: RegionServices): void {
    this.metrics = services.metrics;
    this.service = createLogsService(services.durable, services.stateDir, services.metrics);
    services.registerService(this.service.definition);
    services.registerHttpRoute(INGESTION_ROUTE, (_req, res) => sendJson(res, this.ingestion()));
    this.every(RETENTION_SWEEP_MS, () => this.logs.model.expire());
    this.every(DROP_REPORT_MS, () => this.reportDrops());
  }

  stop(): void {
    for (const timer of this.timers.splice(0)) clearInterval(timer);
    this.flush();
    this.reportDrops();
  }

  /** What the region was handed and what became of it. */
  ingestion(): IngestionSnapshot & { buffered: number } {
    return { ...this.logs.counters.snapshot(), buffered: this.pendingLines };
  }

  private get logs() {
    if (!this.service) throw new Error("the logs plugin is not started");
    return this.service;
  }

  hasGroup(group: string): boolean {
    return this.logs.model.groups[group] !== undefined;
  }

  createGroup(group: string): void {
    if (!this.hasGroup(group)) commitAfter(this.logs.durable, () => this.logs.model.createGroup(group));
  }

  write(group: string, stream: string, lines: Line[]): void {
    const { counters } = this.logs;
    if (!this.hasGroup(group)) {
      counters.count(0, lines.length, "group-missing");
      return;
    }
    // Storing blocks the event loop, so the containers' pipes fill and their writes wait, as with
    // awslogs' blocking mode: lines are slowed, never lost, and what waits in memory stays bounded.
    if (this.pendingLines + lines.length > MAX_BUFFERED_LINES) this.flush();
    const key = `${group}\u0000${stream}`;
    const entry = this.pending.get(key) ?? { group, stream, lines: [] };
    this.pending.set(key, entry);
    for (const line of lines) entry.lines.push(line);
    this.pendingLines += lines.length;
    counters.accept(lines.length);
    if (entry.lines.length >= STREAM_FLUSH_LINES) this.flushEntries([entry]);
    else this.flushSoon();
  }

  /**
   * Stores what arrived on the next turn of the event loop: a pipe's chunk of lines goes together,
   * and metric filters see each line within milliseconds.
   */
  private flushSoon(): void {
    if (this.flushQueued) return;
    this.flushQueued = true;
    setImmediate(() => {
      this.flushQueued = false;
      this.flush();
    });
  }

  tail(group: string, stream: string, count: number): string[] {
    const key = `${group}\u0000${stream}`;
    const entry = this.pending.get(key);
    if (entry) this.flushEntries([entry]);
    const g = this.logs.model.groups[group];
    const s = g?.streams[stream];
    return g && s ? this.logs.model.lastMessages(g, s, count) : [];
  }

  /** Stores what containers wrote since the last flush: one append and fsync per stream. */
  private flush(): void {
    if (!this.service) return;
    if (this.pending.size > 0) this.flushEntries([...this.pending.values()]);
  }

  private flushEntries(entries: { group: string; stream: string; lines: Line[] }[]): void {
    const { model, durable, counters } = this.logs;
    for (const entry of entries) {
      this.pending.delete(`${entry.group}\u0000${entry.stream}`);
      this.pendingLines -= entry.lines.length;
      const g = model.groups[entry.group];
      if (!g) {
        counters.settle(0, entry.lines.length, "group-missing");
        continue;
      }
      const s = g.streams[entry.stream] ?? model.createStream(entry.group, entry.stream);
      publishMetricData(this.metrics, model.append(g, s, entry.lines, true));
      counters.settle(entry.lines.length);
    }
    // Container output is batched to disk, as the awslogs driver batches it to CloudWatch.
    durable.commit();
  }

  /** Says what was dropped since the last report, if anything: every 10 s, and on stop. */
  private reportDrops(): void {
    const dropped = this.logs.counters.droppedTotal();
    if (dropped === this.reportedDrops) return;
    this.reportedDrops = dropped;
    this.log(`logs: lines dropped: ${JSON.stringify(this.ingestion())}`);
  }

  private every(ms: number, run: () => void): void {
    const timer = setInterval(run, ms);
    timer.unref();
    this.timers.push(timer);
  }
}

function sendJson(res: ServerResponse, body: unknown): void {
  res.writeHead(200, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}
