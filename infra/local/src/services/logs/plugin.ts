import type { MetricSink, RegionPlugin, RegionServices } from "../../contracts.js";
import { commitAfter } from "../../state/durable.js";
import type { LocalService } from "../local-service.js";
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

const FLUSH_INTERVAL_MS = 1000;

/** CloudWatch Logs as a region plugin, and the sink the task runner writes to. */
export class LogsPlugin implements RegionPlugin, LogSink {
  readonly name = "logs";
  private service: LocalService<LogsModel, LogsState> | undefined;
  private metrics: MetricSink = NO_METRICS;
  private dirty = false;
  private timer: NodeJS.Timeout | undefined;

  start(services: RegionServices): void {
    this.metrics = services.metrics;
    this.service = createLogsService(services.durable, services.metrics);
    services.registerService(this.service.definition);
    this.timer = setInterval(() => this.flush(), FLUSH_INTERVAL_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.flush();
  }

  private get logs(): LocalService<LogsModel, LogsState> {
    if (!this.service) throw new Error("the logs plugin is not started");
    return this.service;
  }

  hasGroup(group: string): boolean {
    return this.logs.model.groups[group] !== undefined;
  }

  createGroup(group: string): void {
    if (!this.hasGroup(group)) commitAfter(this.logs.durable, () => this.logs.model.createGroup(group));
  }

  write(group: string, stream: string, lines: { timestamp: number; message: string }[]): void {
    const { model } = this.logs;
    const g = model.groups[group];
    if (!g) return;
    const s = g.streams[stream] ?? model.createStream(group, stream);
    publishMetricData(this.metrics, model.append(g, s, lines));
    // Container output is batched to disk, as the awslogs driver batches it to CloudWatch.
    this.dirty = true;
  }

  tail(group: string, stream: string, count: number): string[] {
    const events = this.logs.model.groups[group]?.streams[stream]?.events ?? [];
    return events.slice(-count).map((e) => e.message);
  }

  private flush(): void {
    if (!this.dirty || !this.service) return;
    this.dirty = false;
    this.service.durable.commit();
  }
}
