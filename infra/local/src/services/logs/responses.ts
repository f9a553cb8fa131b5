import type { Durable, MetricSink, OperationHandler } from "../../contracts.js";
import { mutating } from "../../state/durable.js";
import { type Page, pageOffset, pageToken, paginate } from "../../wire/paging.js";
import { type Input, optString } from "../../wire/params.js";
import type { StoredLogEvent } from "./event-store.js";
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
import type { LogGroupRecord, LogsModel, LogsState } from "./model.js";
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
      return eventWindow(model.retained(group, stream, timeRange(input)), input);
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
 * `startFromHead`, then onwards from a token. Its forward and backward tokens are always there; a
 * forward token that comes back unchanged tells the reader it has everything. The events are
 * read as they stream from the store: at most `limit` of them are held.
 */
function eventWindow(events: Iterable<StoredLogEvent>, input: Input) {
  const limit = limitOf(input, 10000);
  const token = optString(input, "nextToken");
  const from =
    token !== undefined
      ? pageOffset(token.replace(/^[fb]\//, ""), invalidToken)
      : input.startFromHead === true
        ? 0
        : undefined;
  const { page, start } =
    from === undefined ? newest(events, limit) : { page: slice(events, from, limit), start: from };
  return {
    events: page.map(({ seq: _seq, ...e }) => e),
    nextForwardToken: `f/${pageToken(start + page.length)}`,
    nextBackwardToken: `b/${pageToken(Math.max(0, start - limit))}`,
  };
}

function slice<T>(items: Iterable<T>, from: number, limit: number): T[] {
  const page: T[] = [];
  let i = 0;
  for (const item of items) {
    if (i++ < from) continue;
    page.push(item);
    if (page.length === limit) break;
  }
  return page;
}

/** The last `limit` items and the position of the first of them. */
function newest<T>(items: Iterable<T>, limit: number): { page: T[]; start: number } {
  const ring: T[] = [];
  let total = 0;
  for (const item of items) {
    ring[total % limit] = item;
    total++;
  }
  const start = Math.max(0, total - limit);
  const page = total <= limit ? ring : [...ring.slice(total % limit), ...ring.slice(0, total % limit)];
  return { page, start };
}
