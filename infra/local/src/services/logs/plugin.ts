import type { RegionPlugin, RegionServices } from "../../contracts.js";
import { LogsModel, type LogsState } from "./model.js";
import { logsServiceDefinition } from "./responses.js";

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
  private model: LogsModel | undefined;
  private dirty = false;
  private timer: NodeJS.Timeout | undefined;

  start(services: RegionServices): void {
    this.model = new LogsModel(services.durable<LogsState>("logs", () => ({ groups: {} })));
    services.registerService(logsServiceDefinition(this.model));
    this.timer = setInterval(() => this.flush(), FLUSH_INTERVAL_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.flush();
  }

  private get logs(): LogsModel {
    if (!this.model) throw new Error("the logs plugin is not started");
    return this.model;
  }

  hasGroup(group: string): boolean {
    return this.logs.groups[group] !== undefined;
  }

  createGroup(group: string): void {
    if (!this.hasGroup(group)) {
      this.logs.createGroup(group);
      this.logs.commit();
    }
  }

  write(group: string, stream: string, lines: { timestamp: number; message: string }[]): void {
    const g = this.logs.groups[group];
    if (!g) return;
    const s = g.streams[stream] ?? this.logs.createStream(group, stream);
    this.logs.append(s, lines);
    // Container output is batched to disk, as the awslogs driver batches it to CloudWatch.
    this.dirty = true;
  }

  tail(group: string, stream: string, count: number): string[] {
    const events = this.logs.groups[group]?.streams[stream]?.events ?? [];
    return events.slice(-count).map((e) => e.message);
  }

  private flush(): void {
    if (!this.dirty || !this.model) return;
    this.dirty = false;
    this.model.commit();
  }
}
