import { AwsError } from "../../contracts.js";
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

// A minimal CloudWatch Logs: groups, streams and events over plain JSON state, no I/O. Timestamps
// are epoch milliseconds, as in the Logs API. Streams keep their most recent events only (bounded).

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

export class LogsModel {
  /** Patterns parsed once: every stored event is matched against its group's filters. */
  private readonly patterns = new Map<string, FilterPattern>();

  constructor(
    readonly state: LogsState,
    private readonly clock: () => number = Date.now,
  ) {}

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
        `retentionInDays must be one of ${RETENTION_DAYS.join(", ")}; got ${JSON.stringify(days)}.`,
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
    const stream: LogStreamRecord = { logStreamName, creationTime: this.clock(), events: [] };
    group.streams[logStreamName] = stream;
    dropOldestStreams(group);
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

  /** PutLogEvents: the events must come in chronological order, as CloudWatch requires of callers. */
  putEvents(
    group: LogGroupRecord,
    stream: LogStreamRecord,
    events: { timestamp: number; message: string }[],
  ): MetricFilterDatum[] {
    for (let i = 1; i < events.length; i++) {
      if ((events[i]?.timestamp ?? 0) < (events[i - 1]?.timestamp ?? 0)) {
        throw invalidParameter("Log events in a single PutLogEvents request must be in chronological order.");
      }
    }
    return this.append(group, stream, events);
  }

  /**
   * Appends events (sorted by timestamp, as PutLogEvents requires of its callers) and returns what
   * the group's metric filters publish for them, for the caller to hand to CloudWatch.
   */
  append(
    group: LogGroupRecord,
    stream: LogStreamRecord,
    events: { timestamp: number; message: string }[],
  ): MetricFilterDatum[] {
    const ingestionTime = this.clock();
    for (const e of events) {
      stream.events.push({ timestamp: e.timestamp, message: e.message, ingestionTime });
      stream.firstEventTimestamp = Math.min(stream.firstEventTimestamp ?? e.timestamp, e.timestamp);
      stream.lastEventTimestamp = Math.max(stream.lastEventTimestamp ?? e.timestamp, e.timestamp);
    }
    stream.lastIngestionTime = ingestionTime;
    if (stream.events.length > MAX_EVENTS_PER_STREAM)
      stream.events.splice(0, stream.events.length - MAX_EVENTS_PER_STREAM);
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

  /** Events still inside the group's retention period. */
  retained(group: LogGroupRecord, stream: LogStreamRecord): LogEvent[] {
    if (group.retentionInDays === undefined) return stream.events;
    const cutoff = this.clock() - group.retentionInDays * 86_400_000;
    return stream.events.filter((e) => e.timestamp >= cutoff);
  }

  /** GetLogEvents: a stream's retained events in the time range, oldest first. */
  events(group: LogGroupRecord, stream: LogStreamRecord, range: TimeRange): LogEvent[] {
    return this.retained(group, stream).filter((e) => inRange(e.timestamp, range));
  }

  /** FilterLogEvents: the streams searched, and the events in them that match, oldest first. */
  filter(
    group: LogGroupRecord,
    query: TimeRange & {
      streamNames?: string[] | undefined;
      streamPrefix?: string | undefined;
      pattern?: string | undefined;
    },
  ): { streams: LogStreamRecord[]; events: FilteredLogEvent[] } {
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
    const events = streams
      .flatMap((s) =>
        this.retained(group, s).map((e, i) => ({
          logStreamName: s.logStreamName,
          timestamp: e.timestamp,
          message: e.message,
          ingestionTime: e.ingestionTime,
          eventId: `${s.logStreamName}/${i}`,
        })),
      )
      .filter((e) => inRange(e.timestamp, query) && matches(pattern, e.message))
      .sort((a, b) => a.timestamp - b.timestamp);
    return { streams, events };
  }
}

function inRange(timestamp: number, range: TimeRange): boolean {
  return timestamp >= (range.startTime ?? 0) && timestamp < (range.endTime ?? Number.MAX_SAFE_INTEGER);
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
