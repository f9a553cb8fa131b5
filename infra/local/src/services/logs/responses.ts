import type { Durable, MetricSink, OperationHandler } from "../../contracts.js";
import { mutating } from "../../state/durable.js";
import { type Page, pageOffset, pageToken, paginate } from "../../wire/paging.js";
import { type Input, optString } from "../../wire/params.js";
import { IngestionCounters } from "./ingestion.js";
import {
  filterCursor,
  filterPattern,
  filterQuery,
  filterToken,
  groupName,
  invalidToken,
  limitOf,
  logEventMessages,
  logEvents,
  metricFilterInput,
  metricFilterQuery,
  optionalNumber,
  pageRequest,
  streamName,
  streamOrder,
  text,
  timeRange,
} from "./input.js";
import { testMetricFilter } from "./metric-filters.js";
import { NO_METRICS, publishMetricData } from "./metric-publishing.js";
import type { LogGroupRecord, LogStreamRecord, LogsModel, LogsState, TimeRange } from "./model.js";
import { logGroupView, logStreamView, metricFilterView, searchedStreamView } from "./views.js";

// CloudWatch Logs' operations: decoded input, model call, commit, API-shaped output.

export function logsOperations(
  model: LogsModel,
  durable: Durable<LogsState>,
  metrics: MetricSink = NO_METRICS,
  counters: IngestionCounters = new IngestionCounters(),
): Record<string, OperationHandler> {
  const nextToken = (page: Page<unknown>) => (page.next ? { nextToken: page.next } : {});
  return {
    CreateLogGroup: mutating(durable, (input) => {
      model.createGroup(groupName(input));
      return {};
    }),
    DescribeLogGroups: (input, ctx) => {
      const groups = model.groupsByPrefix(text(input.logGroupNamePrefix) ?? "");
      const page = paginate(groups, pageRequest(input, 50), invalidToken);
      const view = (g: LogGroupRecord) => logGroupView(ctx, g, model.groupStoredBytes(g));
      return { logGroups: page.items.map(view), ...nextToken(page) };
    },
    PutRetentionPolicy: mutating(durable, (input) => {
      model.putRetention(groupName(input), optionalNumber(input.retentionInDays, "retentionInDays"));
      return {};
    }),
    DeleteRetentionPolicy: mutating(durable, (input) => {
      model.deleteRetention(groupName(input));
      return {};
    }),
    CreateLogStream: mutating(durable, (input) => {
      model.createStream(groupName(input), streamName(input));
      return {};
    }),
    DescribeLogStreams: (input, ctx) => {
      const group = model.group(groupName(input));
      const page = paginate(model.streamsOf(group, streamOrder(input)), pageRequest(input, 50), invalidToken);
      return { logStreams: page.items.map((s) => logStreamView(ctx, group, s)), ...nextToken(page) };
    },
    // The sequence token is ignored, as AWS now does: parallel writers to a stream all succeed.
    PutLogEvents: mutating(durable, (input) => {
      const group = model.group(groupName(input));
      const stream = model.stream(groupName(input), streamName(input));
      const events = logEvents(input);
      const result = model.putEvents(group, stream, events, true);
      counters.count(result.stored, events.length - result.stored, "rejected-by-put-rules");
      publishMetricData(metrics, result.data);
      return {
        nextSequenceToken: model.sequenceToken(group, stream),
        ...(result.rejected ? { rejectedLogEventsInfo: result.rejected } : {}),
      };
    }),
    GetLogEvents: (input) => {
      const group = model.group(groupName(input));
      const stream = model.stream(groupName(input), streamName(input));
      return eventWindow(model, group, stream, input);
    },
    FilterLogEvents: (input) => {
      const group = model.group(groupName(input));
      const page = { limit: limitOf(input, 10000), after: filterCursor(optString(input, "nextToken")) };
      const { streams, events, next } = model.filter(group, filterQuery(input), page);
      return {
        events,
        searchedLogStreams: streams.map(searchedStreamView),
        ...(next ? { nextToken: filterToken(next) } : {}),
      };
    },
    PutMetricFilter: mutating(durable, (input) => {
      model.putMetricFilter(groupName(input), metricFilterInput(input));
      return {};
    }),
    DescribeMetricFilters: (input) => {
      const filters = model.metricFilters(groupName(input), metricFilterQuery(input));
      const page = paginate(filters, pageRequest(input, 50), invalidToken);
      return { metricFilters: page.items.map(metricFilterView), ...nextToken(page) };
    },
    DeleteMetricFilter: mutating(durable, (input) => {
      model.deleteMetricFilter(groupName(input), optString(input, "filterName"));
      return {};
    }),
    TestMetricFilter: (input) => ({
      matches: testMetricFilter(filterPattern(input), logEventMessages(input)),
    }),
  };
}

/**
 * GetLogEvents reads a window of `limit` events: the newest ones, or the oldest with
 * `startFromHead`, then onwards from a token. Tokens name an event number, so a page is read from
 * there, not counted from the start; the forward and backward tokens are always there, and a
 * forward token that comes back unchanged tells the reader it has everything. At most `limit`
 * events are held.
 */
function eventWindow(model: LogsModel, group: LogGroupRecord, stream: LogStreamRecord, input: Input) {
  const limit = limitOf(input, 10000);
  const range = timeRange(input);
  const token = optString(input, "nextToken");
  const from =
    token !== undefined
      ? pageOffset(token.replace(/^[fb]\//, ""), invalidToken)
      : input.startFromHead === true
        ? 0
        : undefined;
  const page =
    from !== undefined
      ? take(model.retained(group, stream, { ...range, fromSeq: from }), limit)
      : newest(
          model.retained(group, stream, { ...range, ...newestFrom(model, group, stream, range, limit) }),
          limit,
        );
  const first = page[0]?.seq ?? from ?? model.nextSeq(group, stream);
  const next = page.length > 0 ? page.at(-1)!.seq + 1 : first;
  return {
    events: page.map(({ seq: _seq, ...e }) => e),
    nextForwardToken: `f/${pageToken(next)}`,
    nextBackwardToken: `b/${pageToken(Math.max(0, first - limit))}`,
  };
}

/** Without a time range the newest `limit` events are the last `limit` numbers: no need to read the rest. */
function newestFrom(
  model: LogsModel,
  group: LogGroupRecord,
  stream: LogStreamRecord,
  range: TimeRange,
  limit: number,
) {
  const open = range.startTime === undefined && range.endTime === undefined;
  return open ? { fromSeq: Math.max(0, model.nextSeq(group, stream) - limit) } : {};
}

function take<T>(items: Iterable<T>, limit: number): T[] {
  const page: T[] = [];
  for (const item of items) {
    page.push(item);
    if (page.length === limit) break;
  }
  return page;
}

/** The last `limit` items, oldest first. */
function newest<T>(items: Iterable<T>, limit: number): T[] {
  const ring: T[] = [];
  let total = 0;
  for (const item of items) {
    ring[total % limit] = item;
    total++;
  }
  return total <= limit ? ring : [...ring.slice(total % limit), ...ring.slice(0, total % limit)];
}
