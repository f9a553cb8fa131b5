import { AwsError, type Durable } from "../../contracts.js";

// A minimal CloudWatch Logs: groups, streams and events, as plain durable JSON. Timestamps are
// epoch milliseconds, as in the Logs API. Streams keep their most recent events only (bounded).

export interface LogEvent {
  timestamp: number;
  message: string;
  ingestionTime: number;
}

export interface LogStreamRecord {
  logStreamName: string;
  creationTime: number;
  firstEventTimestamp?: number;
  lastEventTimestamp?: number;
  lastIngestionTime?: number;
  events: LogEvent[];
}

export interface LogGroupRecord {
  logGroupName: string;
  creationTime: number;
  retentionInDays?: number;
  streams: Record<string, LogStreamRecord>;
}

export interface LogsState {
  groups: Record<string, LogGroupRecord>;
}

export const MAX_EVENTS_PER_STREAM = 2000;
/** Streams kept per group; the least recently written go first (each task writes a stream of its own). */
export const MAX_STREAMS_PER_GROUP = 200;
export const RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];
const GROUP_NAME = /^[.\-_/#A-Za-z0-9]{1,512}$/;
const STREAM_NAME = /^[^:*]{1,512}$/;

const notFound = (what: string) =>
  new AwsError("ResourceNotFoundException", `The specified ${what} does not exist.`);
export const invalidParameter = (message: string) => new AwsError("InvalidParameterException", message);

export function checkGroupName(name: unknown): string {
  if (typeof name !== "string" || !GROUP_NAME.test(name)) {
    throw invalidParameter(
      `1 validation error detected: Value ${JSON.stringify(name)} at 'logGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+`,
    );
  }
  return name;
}

export function checkStreamName(name: unknown): string {
  if (typeof name !== "string" || !STREAM_NAME.test(name)) {
    throw invalidParameter(
      `1 validation error detected: Value ${JSON.stringify(name)} at 'logStreamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [^:*]*`,
    );
  }
  return name;
}

export class LogsModel {
  constructor(
    private readonly durable: Durable<LogsState>,
    private readonly clock: () => number = Date.now,
  ) {}

  get groups(): Record<string, LogGroupRecord> {
    return this.durable.state.groups;
  }

  commit(): void {
    this.durable.commit();
  }

  createGroup(name: unknown): LogGroupRecord {
    const logGroupName = checkGroupName(name);
    if (this.groups[logGroupName]) {
      throw new AwsError("ResourceAlreadyExistsException", "The specified log group already exists");
    }
    const group: LogGroupRecord = { logGroupName, creationTime: this.clock(), streams: {} };
    this.groups[logGroupName] = group;
    return group;
  }

  group(name: unknown): LogGroupRecord {
    const group = this.groups[checkGroupName(name)];
    if (!group) throw notFound("log group");
    return group;
  }

  putRetention(name: unknown, days: unknown): void {
    if (typeof days !== "number" || !RETENTION_DAYS.includes(days)) {
      throw invalidParameter(
        `retentionInDays must be one of ${RETENTION_DAYS.join(", ")}; got ${JSON.stringify(days)}.`,
      );
    }
    this.group(name).retentionInDays = days;
  }

  createStream(groupName: unknown, streamName: unknown): LogStreamRecord {
    const group = this.group(groupName);
    const logStreamName = checkStreamName(streamName);
    if (group.streams[logStreamName]) {
      throw new AwsError("ResourceAlreadyExistsException", "The specified log stream already exists");
    }
    const stream: LogStreamRecord = { logStreamName, creationTime: this.clock(), events: [] };
    group.streams[logStreamName] = stream;
    dropOldestStreams(group);
    return stream;
  }

  stream(groupName: unknown, streamName: unknown): LogStreamRecord {
    const stream = this.group(groupName).streams[checkStreamName(streamName)];
    if (!stream) throw notFound("log stream");
    return stream;
  }

  /** Appends events (sorted by timestamp, as PutLogEvents requires of its callers). */
  append(stream: LogStreamRecord, events: { timestamp: number; message: string }[]): void {
    const ingestionTime = this.clock();
    for (const e of events) {
      stream.events.push({ timestamp: e.timestamp, message: e.message, ingestionTime });
      stream.firstEventTimestamp = Math.min(stream.firstEventTimestamp ?? e.timestamp, e.timestamp);
      stream.lastEventTimestamp = Math.max(stream.lastEventTimestamp ?? e.timestamp, e.timestamp);
    }
    stream.lastIngestionTime = ingestionTime;
    if (stream.events.length > MAX_EVENTS_PER_STREAM)
      stream.events.splice(0, stream.events.length - MAX_EVENTS_PER_STREAM);
  }

  /** Events still inside the group's retention period. */
  retained(group: LogGroupRecord, stream: LogStreamRecord): LogEvent[] {
    if (group.retentionInDays === undefined) return stream.events;
    const cutoff = this.clock() - group.retentionInDays * 86_400_000;
    return stream.events.filter((e) => e.timestamp >= cutoff);
  }
}

function dropOldestStreams(group: LogGroupRecord): void {
  const streams = Object.values(group.streams);
  if (streams.length <= MAX_STREAMS_PER_GROUP) return;
  const byLastWrite = streams.sort(
    (a, b) => (a.lastIngestionTime ?? a.creationTime) - (b.lastIngestionTime ?? b.creationTime),
  );
  for (const s of byLastWrite.slice(0, streams.length - MAX_STREAMS_PER_GROUP))
    delete group.streams[s.logStreamName];
}

/**
 * CloudWatch Logs filter patterns, the subset that matters for text logs: space-separated terms
 * that must all appear, "quoted phrases", and `?term` alternatives (any of them). Empty matches all.
 */
export function matchesFilterPattern(message: string, pattern: string | undefined): boolean {
  if (!pattern || pattern.trim() === "") return true;
  const terms = [...pattern.matchAll(/(\?)?"([^"]*)"|(\?)?(\S+)/g)].map((m) => ({
    optional: Boolean(m[1] ?? m[3]),
    text: m[2] ?? m[4] ?? "",
  }));
  const alternatives = terms.filter((t) => t.optional);
  if (alternatives.length > 0) return alternatives.some((t) => message.includes(t.text));
  return terms.every((t) => message.includes(t.text));
}
