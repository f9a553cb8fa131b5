import { AwsError } from "../../contracts.js";
import {
  EventStore,
  type EventStoreLimits,
  memorySegments,
  type StoredLogEvent,
  type StreamKey,
} from "./event-store.js";
import { type FilterPattern, type MetricFilterDatum, matches, parseFilterPattern } from "./filter-pattern.js";
import {
  type MetricFilterInput,
  type MetricFilterQuery,
  type MetricFilterRecord,
  metricFilterData,
  newMetricFilter,
  putMetricFilter,
  selectMetricFilters,
} from "./metric-filters.js";
import { type BatchVerdict, checkBatchShape, type InputLogEvent, judgeBatch } from "./put-rules.js";

// A minimal CloudWatch Logs: groups and streams over plain JSON state, their events in an
// EventStore (segments in memory, or on disk in the region). Timestamps are epoch milliseconds, as
// in the Logs API. Streams keep their most recent events only (bounded), and groups their most
// recently written streams.

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
  /** Events of state written before the event store; moved into it on start. */
  events?: LogEvent[];
}

export interface LogGroupRecord {
  logGroupName: string;
  creationTime: number;
  retentionInDays?: number;
  streams: Record<string, LogStreamRecord>;
  /** By name; absent in state written before metric filters. */
  metricFilters?: Record<string, MetricFilterRecord>;
}

export interface LogsState {
  groups: Record<string, LogGroupRecord>;
}

export function emptyLogsState(): LogsState {
  return { groups: {} };
}

/** An event as FilterLogEvents finds it: with its stream and an id stable within the stream. */
export interface FilteredLogEvent extends LogEvent {
  logStreamName: string;
  eventId: string;
}

export interface TimeRange {
  startTime?: number | undefined;
  endTime?: number | undefined;
}

/** A stream's events: a minute at 10,000 lines/s, and more, in 4 MiB segments. */
export const STREAM_LIMITS: EventStoreLimits = { maxEventsPerStream: 2_000_000, segmentBytes: 4 << 20 };
/** Segments a retention sweep removes at most. */
export const EXPIRY_BUDGET = 64;
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

export function checkGroupName(name: string | undefined): string {
  if (name === undefined || !GROUP_NAME.test(name)) {
    throw invalidParameter(
      `1 validation error detected: Value ${JSON.stringify(name)} at 'logGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+`,
    );
  }
  return name;
}

export function checkStreamName(name: string | undefined): string {
  if (name === undefined || !STREAM_NAME.test(name)) {
    throw invalidParameter(
      `1 validation error detected: Value ${JSON.stringify(name)} at 'logStreamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [^:*]*`,
    );
  }
  return name;
}

/** A page of FilterLogEvents: events after a cursor, in (timestamp, stream, number) order. */
export interface FilterPage {
  limit: number;
  after?: FilterCursor | undefined;
}

export interface FilterCursor {
  timestamp: number;
  logStreamName: string;
  seq: number;
}

/** What a PutLogEvents batch stored, what its filters publish, and what it left out. */
export interface PutResult {
  stored: number;
  data: MetricFilterDatum[];
  rejected?: BatchVerdict["rejected"];
}

export class LogsModel {
  /** Patterns parsed once: every stored event is matched against its group's filters. */
  private readonly patterns = new Map<string, FilterPattern>();

  constructor(
    readonly state: LogsState,
    private readonly clock: () => number = Date.now,
    readonly store: EventStore = new EventStore(memorySegments(), STREAM_LIMITS),
  ) {
    this.moveLegacyEvents();
  }

  get groups(): Record<string, LogGroupRecord> {
    return this.state.groups;
  }

  createGroup(name: string | undefined): LogGroupRecord {
    const logGroupName = checkGroupName(name);
    if (this.groups[logGroupName]) {
      throw new AwsError("ResourceAlreadyExistsException", "The specified log group already exists");
    }
    const group: LogGroupRecord = { logGroupName, creationTime: this.clock(), streams: {} };
    this.groups[logGroupName] = group;
    return group;
  }

  group(name: string | undefined): LogGroupRecord {
    const group = this.groups[checkGroupName(name)];
    if (!group) throw notFound("log group");
    return group;
  }

  /** Groups whose name starts with the prefix, by name. */
  groupsByPrefix(prefix: string): LogGroupRecord[] {
    return Object.values(this.groups)
      .filter((g) => g.logGroupName.startsWith(prefix))
      .sort((a, b) => a.logGroupName.localeCompare(b.logGroupName));
  }

  putRetention(name: string | undefined, days: number | undefined): void {
    if (days === undefined || !RETENTION_DAYS.includes(days)) {
      throw invalidParameter(
        `1 validation error detected: Value '${days ?? "null"}' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: [${RETENTION_DAYS.join(", ")}]`,
      );
    }
    this.group(name).retentionInDays = days;
  }

  deleteRetention(name: string | undefined): void {
    delete this.group(name).retentionInDays;
  }

  createStream(groupName: string | undefined, streamName: string | undefined): LogStreamRecord {
    const group = this.group(groupName);
    const logStreamName = checkStreamName(streamName);
    if (group.streams[logStreamName]) {
      throw new AwsError("ResourceAlreadyExistsException", "The specified log stream already exists");
    }
    const stream: LogStreamRecord = { logStreamName, creationTime: this.clock() };
    group.streams[logStreamName] = stream;
    this.dropOldestStreams(group);
    return stream;
  }

  stream(groupName: string | undefined, streamName: string | undefined): LogStreamRecord {
    const stream = this.group(groupName).streams[checkStreamName(streamName)];
    if (!stream) throw notFound("log stream");
    return stream;
  }

  /** A group's streams with the prefix, by name or by last event time, as DescribeLogStreams lists them. */
  streamsOf(
    group: LogGroupRecord,
    order: { prefix: string; byLastEventTime: boolean; descending: boolean },
  ): LogStreamRecord[] {
    if (order.byLastEventTime && order.prefix)
      throw invalidParameter("Cannot order by LastEventTime with a logStreamNamePrefix.");
    const streams = Object.values(group.streams)
      .filter((s) => s.logStreamName.startsWith(order.prefix))
      .sort((a, b) =>
        order.byLastEventTime
          ? (a.lastEventTimestamp ?? 0) - (b.lastEventTimestamp ?? 0)
          : a.logStreamName.localeCompare(b.logStreamName),
      );
    return order.descending ? streams.reverse() : streams;
  }

  /**
   * PutLogEvents: a batch CloudWatch refuses stores nothing; of an accepted one, the events
   * outside its time window are left out and reported.
   */
  putEvents(
    group: LogGroupRecord,
    stream: LogStreamRecord,
    events: InputLogEvent[],
    sync = false,
  ): PutResult {
    checkBatchShape(events);
    const verdict = judgeBatch(events, this.clock(), group.retentionInDays);
    const accepted = events.slice(verdict.start, verdict.end);
    const data = this.append(group, stream, accepted, sync);
    return { stored: accepted.length, data, ...(verdict.rejected ? { rejected: verdict.rejected } : {}) };
  }

  /**
   * Appends events (sorted by timestamp, as PutLogEvents requires of its callers) and returns what
   * the group's metric filters publish for them, for the caller to hand to CloudWatch.
   */
  append(group: LogGroupRecord, stream: LogStreamRecord, events: InputLogEvent[], sync = false) {
    if (events.length === 0) return [];
    const ingestionTime = this.clock();
    this.store.append(keyOf(group, stream), events, ingestionTime, sync);
    for (const e of events) {
      stream.firstEventTimestamp = Math.min(stream.firstEventTimestamp ?? e.timestamp, e.timestamp);
      stream.lastEventTimestamp = Math.max(stream.lastEventTimestamp ?? e.timestamp, e.timestamp);
    }
    stream.lastIngestionTime = ingestionTime;
    return metricFilterData(Object.values(group.metricFilters ?? {}), events, (f) =>
      this.pattern(f.filterPattern),
    );
  }

  putMetricFilter(groupName: string | undefined, input: MetricFilterInput): MetricFilterRecord {
    const group = this.group(groupName);
    const filter = newMetricFilter(group.logGroupName, input, this.clock());
    group.metricFilters ??= {};
    putMetricFilter(group.metricFilters, filter);
    return filter;
  }

  /** DescribeMetricFilters: one group's filters or every group's; a name prefix needs the group. */
  metricFilters(groupName: string | undefined, query: MetricFilterQuery): MetricFilterRecord[] {
    const groups = groupName === undefined ? Object.values(this.groups) : [this.group(groupName)];
    if (groupName === undefined && query.filterNamePrefix !== undefined) {
      throw invalidParameter("filterNamePrefix requires logGroupName.");
    }
    return selectMetricFilters(
      groups.flatMap((g) => Object.values(g.metricFilters ?? {})),
      query,
    );
  }

  deleteMetricFilter(groupName: string | undefined, filterName: string | undefined): void {
    const filters = this.group(groupName).metricFilters ?? {};
    if (filterName === undefined || !filters[filterName]) throw notFound("metric filter");
    delete filters[filterName];
  }

  private pattern(text: string): FilterPattern {
    let pattern = this.patterns.get(text);
    if (!pattern) {
      pattern = parseFilterPattern(text, "metricFilter");
      this.patterns.set(text, pattern);
    }
    return pattern;
  }

  /** The oldest timestamp the group still shows (its retention), or undefined when it keeps all. */
  retentionCutoff(group: LogGroupRecord): number | undefined {
    return group.retentionInDays === undefined ? undefined : this.clock() - group.retentionInDays * DAY;
  }

  /** A stream's events from `fromSeq` inside the group's retention period and the time range, oldest first. */
  *retained(
    group: LogGroupRecord,
    stream: LogStreamRecord,
    range: TimeRange & { fromSeq?: number } = {},
  ): Generator<StoredLogEvent> {
    const cutoff = this.retentionCutoff(group) ?? 0;
    const startTime = Math.max(cutoff, range.startTime ?? 0);
    const window = { startTime, endTime: range.endTime ?? Number.MAX_SAFE_INTEGER };
    const read = { ...window, ...(range.fromSeq !== undefined ? { fromSeq: range.fromSeq } : {}) };
    for (const e of this.store.read(keyOf(group, stream), read)) {
      if (inRange(e.timestamp, window)) yield e;
    }
  }

  /** The number of the stream's next event: where its newest `n` events start is that less n. */
  nextSeq(group: LogGroupRecord, stream: LogStreamRecord): number {
    return this.store.nextSeq(keyOf(group, stream));
  }

  /** GetLogEvents: a stream's retained events in the time range, oldest first. */
  events(group: LogGroupRecord, stream: LogStreamRecord, range: TimeRange): LogEvent[] {
    return [...this.retained(group, stream, range)].map(({ seq: _seq, ...e }) => e);
  }

  /** The last `count` messages of a stream, whatever its retention (a stopped task's cause). */
  lastMessages(group: LogGroupRecord, stream: LogStreamRecord, count: number): string[] {
    return this.store.last(keyOf(group, stream), count).map((e) => e.message);
  }

  groupStoredBytes(group: LogGroupRecord): number {
    return Object.values(group.streams).reduce((n, s) => n + this.store.bytes(keyOf(group, s)), 0);
  }

  /** PutLogEvents' nextSequenceToken: AWS still returns one, and ignores it when it comes back. */
  sequenceToken(group: LogGroupRecord, stream: LogStreamRecord): string {
    return String(this.nextSeq(group, stream)).padStart(20, "0");
  }

  /**
   * Removes what retention has expired, at most `budget` segments, and says how many went. Reads
   * already skip expired events; this frees their space.
   */
  expire(budget = EXPIRY_BUDGET): number {
    let removed = 0;
    for (const group of Object.values(this.groups)) {
      const cutoff = this.retentionCutoff(group);
      if (cutoff === undefined) continue;
      for (const stream of Object.values(group.streams)) {
        if (removed >= budget) return removed;
        removed += this.store.expire(keyOf(group, stream), cutoff, budget - removed);
      }
    }
    return removed;
  }

  /** FilterLogEvents: the streams searched and a page of the events in them that match. */
  filter(
    group: LogGroupRecord,
    query: TimeRange & {
      streamNames?: string[] | undefined;
      streamPrefix?: string | undefined;
      pattern?: string | undefined;
    },
    page: FilterPage = { limit: 10_000 },
  ): { streams: LogStreamRecord[]; events: FilteredLogEvent[]; next?: FilterCursor } {
    query.streamNames?.forEach(checkStreamName);
    const pattern = parseFilterPattern(query.pattern, "filterLogEvents");
    if (query.streamNames && query.streamPrefix !== undefined) {
      throw invalidParameter("logStreamNames and logStreamNamePrefix are mutually exclusive.");
    }
    const streams = Object.values(group.streams).filter(
      (s) =>
        (query.streamNames ? query.streamNames.includes(s.logStreamName) : true) &&
        (query.streamPrefix === undefined || s.logStreamName.startsWith(query.streamPrefix)),
    );
    const found = new FirstEvents(page.limit, page.after);
    for (const s of streams) {
      for (const e of this.retained(group, s, query)) {
        if (matches(pattern, e.message)) found.offer(s.logStreamName, e);
      }
    }
    return { streams, ...found.page() };
  }

  private dropOldestStreams(group: LogGroupRecord): void {
    const streams = Object.values(group.streams);
    if (streams.length <= MAX_STREAMS_PER_GROUP) return;
    const byLastWrite = streams.sort(
      (a, b) => (a.lastIngestionTime ?? a.creationTime) - (b.lastIngestionTime ?? b.creationTime),
    );
    for (const s of byLastWrite.slice(0, streams.length - MAX_STREAMS_PER_GROUP)) {
      this.store.removeStream(keyOf(group, s));
      delete group.streams[s.logStreamName];
    }
  }

  /** State written before the event store kept events in its JSON: they move into the store. */
  private moveLegacyEvents(): void {
    for (const group of Object.values(this.groups)) {
      for (const stream of Object.values(group.streams)) {
        const events = stream.events;
        if (!events) continue;
        delete stream.events;
        if (events.length > 0)
          this.store.append(keyOf(group, stream), events, events.at(-1)!.ingestionTime, true);
      }
    }
  }
}

const DAY = 86_400_000;

const keyOf = (group: LogGroupRecord, stream: LogStreamRecord): StreamKey => ({
  group: group.logGroupName,
  stream: stream.logStreamName,
});

function inRange(timestamp: number, range: TimeRange): boolean {
  return timestamp >= (range.startTime ?? 0) && timestamp < (range.endTime ?? Number.MAX_SAFE_INTEGER);
}

const before = (a: FilteredLogEvent | FilterCursor, b: FilteredLogEvent | FilterCursor) =>
  a.timestamp - b.timestamp || a.logStreamName.localeCompare(b.logStreamName) || seqOf(a) - seqOf(b);

const seqOf = (e: FilteredLogEvent | FilterCursor) =>
  "seq" in e ? e.seq : Number(e.eventId.split("/").at(-1));

/**
 * The first `limit` events after a cursor, from events offered in any order, holding at most
 * twice `limit` of them at a time however many are offered.
 */
class FirstEvents {
  private kept: (FilteredLogEvent & { seq: number })[] = [];
  private more = false;

  constructor(
    private readonly limit: number,
    private readonly after: FilterCursor | undefined,
  ) {}

  offer(logStreamName: string, e: StoredLogEvent): void {
    const event = {
      logStreamName,
      timestamp: e.timestamp,
      message: e.message,
      ingestionTime: e.ingestionTime,
      eventId: `${logStreamName}/${e.seq}`,
      seq: e.seq,
    };
    if (this.after && before(event, this.after) <= 0) return;
    this.kept.push(event);
    if (this.kept.length >= 2 * this.limit) this.trim();
  }

  page(): { events: FilteredLogEvent[]; next?: FilterCursor } {
    this.trim();
    const events = this.kept.map(({ seq: _seq, ...e }) => e);
    const last = this.kept.at(-1);
    return this.more && last
      ? { events, next: { timestamp: last.timestamp, logStreamName: last.logStreamName, seq: last.seq } }
      : { events };
  }

  private trim(): void {
    this.kept.sort(before);
    if (this.kept.length > this.limit) {
      this.more = true;
      this.kept.length = this.limit;
    }
  }
}
