// The CloudWatch Logs transport's buffer: bounded in lines and bytes, so a slow or absent
// CloudWatch costs log lines (counted, by reason), never the process's memory. Pure.

export interface LogEvent {
  timestamp: number;
  message: string;
}

export interface BufferLimits {
  maxEvents: number;
  maxBytes: number;
}

// PutLogEvents: at most 10,000 events and 1,048,576 bytes a call, counting 26 bytes per event
// on top of its UTF-8 message; one event at most 256 KiB.
export const PUT_LOG_EVENTS_MAX_EVENTS = 10_000;
export const PUT_LOG_EVENTS_MAX_BYTES = 1_048_576;
export const EVENT_OVERHEAD_BYTES = 26;
export const MAX_EVENT_BYTES = 256 * 1024 - EVENT_OVERHEAD_BYTES;

export const sizeOf = (event: LogEvent) => Buffer.byteLength(event.message, "utf8") + EVENT_OVERHEAD_BYTES;

export interface DropReport {
  count: number;
  /** How many lines each reason cost, in the order the reasons first occurred. */
  reasons: Array<[reason: string, count: number]>;
}

export class LogBuffer {
  private events: LogEvent[] = [];
  private bytes = 0;
  private dropped = new Map<string, number>();

  constructor(private readonly limits: BufferLimits) {}

  get length(): number {
    return this.events.length;
  }

  /** Queues one line; a line that does not fit is dropped and counted. */
  add(event: LogEvent): boolean {
    const fitted = truncated(event);
    if (!this.fits(sizeOf(fitted), 1)) {
      this.drop(1, "buffer full (CloudWatch Logs slow or unreachable)");
      return false;
    }
    this.events.push(fitted);
    this.bytes += sizeOf(fitted);
    return true;
  }

  /** The oldest lines that make one PutLogEvents call, in time order; they leave the buffer. */
  takeBatch(): LogEvent[] {
    let bytes = 0;
    let count = 0;
    for (const event of this.events) {
      if (count === PUT_LOG_EVENTS_MAX_EVENTS || bytes + sizeOf(event) > PUT_LOG_EVENTS_MAX_BYTES) break;
      bytes += sizeOf(event);
      count++;
    }
    const batch = this.events.splice(0, count);
    this.bytes -= bytes;
    return batch.sort((a, b) => a.timestamp - b.timestamp);
  }

  /** A batch that could not be sent goes back in front, as far as it still fits; the rest is dropped. */
  putBack(batch: LogEvent[], reason: string): void {
    const kept: LogEvent[] = [];
    let bytes = 0;
    for (const event of batch) {
      if (!this.fits(bytes + sizeOf(event), kept.length + 1)) break;
      kept.push(event);
      bytes += sizeOf(event);
    }
    if (kept.length < batch.length) this.drop(batch.length - kept.length, reason);
    this.events.unshift(...kept);
    this.bytes += bytes;
  }

  drop(count: number, reason: string): void {
    if (count > 0) this.dropped.set(reason, (this.dropped.get(reason) ?? 0) + count);
  }

  /** Empties the buffer, counting every line it held as dropped. */
  dropAll(reason: string): void {
    this.drop(this.events.length, reason);
    this.events = [];
    this.bytes = 0;
  }

  /** The lines dropped since the last call, and resets the count. */
  takeDropped(): DropReport | undefined {
    if (this.dropped.size === 0) return undefined;
    const reasons = [...this.dropped];
    this.dropped.clear();
    return { count: reasons.reduce((n, [, c]) => n + c, 0), reasons };
  }

  private fits(extraBytes: number, extraEvents: number): boolean {
    return (
      this.events.length + extraEvents <= this.limits.maxEvents &&
      this.bytes + extraBytes <= this.limits.maxBytes
    );
  }
}

function truncated(event: LogEvent): LogEvent {
  if (Buffer.byteLength(event.message, "utf8") <= MAX_EVENT_BYTES) return event;
  const cut = Buffer.from(event.message, "utf8")
    .subarray(0, MAX_EVENT_BYTES - 3)
    .toString("utf8");
  // A cut inside a multi-byte character decodes to U+FFFD (3 bytes): trim until it fits again.
  let message = `${cut}…`;
  while (Buffer.byteLength(message, "utf8") > MAX_EVENT_BYTES) message = `${message.slice(0, -2)}…`;
  return { timestamp: event.timestamp, message };
}

/** "dropped 12 log lines: buffer full (...) 10, PutLogEvents failed: ... 2" */
export function dropMessage(report: DropReport): string {
  const reasons = report.reasons.map(([reason, count]) => `${reason} (${count})`).join(", ");
  return `dropped ${report.count} log lines: ${reasons}`;
}
