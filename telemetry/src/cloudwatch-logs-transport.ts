import { setTimeout as sleep } from "node:timers/promises";
import {
  type CloudWatchLogsClient,
  CreateLogStreamCommand,
  PutLogEventsCommand,
  type RejectedLogEventsInfo,
} from "@aws-sdk/client-cloudwatch-logs";
import Transport from "winston-transport";
import { type DropReport, LogBuffer, type LogEvent } from "./log-buffer.js";

// A winston transport to one CloudWatch Logs stream. winston-cloudwatch queues without bound and
// prints its errors with console.error; this one keeps a bounded buffer, sends one PutLogEvents at
// a time with a deadline, puts an unsent batch back, and reports what it had to drop.

const MESSAGE = Symbol.for("message");

export interface CloudWatchLogsOptions {
  client: CloudWatchLogsClient;
  logGroupName: string;
  logStreamName: string;
  flushIntervalMs?: number;
  /** Per PutLogEvents / CreateLogStream call; a slower CloudWatch counts as a failure. */
  requestTimeoutMs?: number;
  maxBufferedEvents?: number;
  maxBufferedBytes?: number;
  /** Drops are reported at most this often (and when the transport is closed). */
  reportEveryMs?: number;
  /** Told what was dropped; the logger logs it (to stdout as well as here). */
  onDropped: (report: DropReport) => void;
  now?: () => number;
}

export class CloudWatchLogsTransport extends Transport {
  private readonly buffer: LogBuffer;
  private readonly o: Required<Omit<CloudWatchLogsOptions, "client">> & { client: CloudWatchLogsClient };
  private timer: NodeJS.Timeout | undefined;
  private sending: Promise<void> | undefined;
  private streamReady = false;
  private lastReport = 0;
  private failures = 0;
  private resumeAt = 0;
  private inFlight = 0;

  constructor(options: CloudWatchLogsOptions) {
    super();
    this.o = {
      flushIntervalMs: 1000,
      requestTimeoutMs: 5000,
      maxBufferedEvents: 20_000,
      maxBufferedBytes: 8 * 1024 * 1024,
      reportEveryMs: 60_000,
      now: Date.now,
      ...options,
    };
    this.buffer = new LogBuffer({ maxEvents: this.o.maxBufferedEvents, maxBytes: this.o.maxBufferedBytes });
    this.timer = setInterval(() => void this.flush(), this.o.flushIntervalMs);
    this.timer.unref();
  }

  override log(info: Record<string | symbol, unknown>, callback: () => void): void {
    const message = info[MESSAGE];
    if (typeof message === "string") this.buffer.add({ timestamp: this.o.now(), message });
    callback();
  }

  /** Lines not yet sent: buffered or in the call in flight. */
  get pending(): number {
    return this.buffer.length + this.inFlight;
  }

  /** One send of the oldest lines, unless one is in flight or the last failure asks to wait. */
  flush(): Promise<void> {
    if (this.sending) return this.sending;
    if (this.o.now() < this.resumeAt || this.buffer.length === 0) {
      this.reportDrops(false);
      return Promise.resolve();
    }
    this.sending = this.sendBatch().finally(() => {
      this.sending = undefined;
      this.reportDrops(false);
    });
    return this.sending;
  }

  /** Sends what is buffered until it is gone or the deadline passes; then reports every drop. */
  async drain(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    this.resumeAt = 0;
    while (this.pending > 0 && Date.now() < deadline) {
      if (!(await this.flushWithin(deadline - Date.now())) || this.failures > 0) break;
    }
    this.close();
    this.buffer.drop(this.inFlight, "in flight at shutdown (may have arrived)");
    this.buffer.dropAll("unsent at shutdown");
    this.reportDrops(true);
  }

  /** Whether a flush finished within ms (a slow CloudWatch must not hold a shutdown up). */
  private async flushWithin(ms: number): Promise<boolean> {
    const timer = new AbortController();
    const timeUp = sleep(ms, false, { signal: timer.signal }).catch(() => false);
    const done = await Promise.race([this.flush().then(() => true), timeUp]);
    timer.abort();
    return done;
  }

  override close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private async sendBatch(): Promise<void> {
    const batch = this.buffer.takeBatch();
    this.inFlight = batch.length;
    try {
      await this.ensureStream();
      const answer = await this.o.client.send(
        new PutLogEventsCommand({
          logGroupName: this.o.logGroupName,
          logStreamName: this.o.logStreamName,
          logEvents: batch,
        }),
        { abortSignal: AbortSignal.timeout(this.o.requestTimeoutMs) },
      );
      this.buffer.drop(rejectedCount(answer.rejectedLogEventsInfo, batch), "rejected by CloudWatch Logs");
      this.failures = 0;
    } catch (error) {
      this.failed(batch, error);
    } finally {
      this.inFlight = 0;
    }
  }

  private async ensureStream(): Promise<void> {
    if (this.streamReady) return;
    try {
      await this.o.client.send(
        new CreateLogStreamCommand({
          logGroupName: this.o.logGroupName,
          logStreamName: this.o.logStreamName,
        }),
        { abortSignal: AbortSignal.timeout(this.o.requestTimeoutMs) },
      );
    } catch (error) {
      if ((error as Error).name !== "ResourceAlreadyExistsException") throw error;
    }
    this.streamReady = true;
  }

  private failed(batch: LogEvent[], error: unknown): void {
    const name = (error as Error)?.name ?? "Error";
    if (name === "ResourceNotFoundException") this.streamReady = false;
    this.buffer.putBack(batch, `PutLogEvents failed: ${name}`);
    this.failures++;
    // Back off while CloudWatch is down: 1 s, 2 s, 4 s ... at most 30 s between attempts.
    this.resumeAt = this.o.now() + Math.min(30_000, 1000 * 2 ** (this.failures - 1));
  }

  private reportDrops(now: boolean): void {
    if (!now && this.o.now() - this.lastReport < this.o.reportEveryMs) return;
    const report = this.buffer.takeDropped();
    if (!report) return;
    this.lastReport = this.o.now();
    this.o.onDropped(report);
  }
}

/** Events CloudWatch refused (too old, too new, past retention): the answer names index ranges. */
function rejectedCount(info: RejectedLogEventsInfo | undefined, batch: LogEvent[]): number {
  if (!info) return 0;
  const tooOld = Math.max(info.tooOldLogEventEndIndex ?? -1, info.expiredLogEventEndIndex ?? -1) + 1;
  const tooNew =
    info.tooNewLogEventStartIndex === undefined ? 0 : batch.length - info.tooNewLogEventStartIndex;
  return Math.min(batch.length, tooOld + tooNew);
}
