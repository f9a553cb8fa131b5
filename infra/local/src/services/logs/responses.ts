import type { Durable, MetricSink, OperationHandler } from "../../contracts.js";
import { mutating } from "../../state/durable.js";
import { type Page, pageOffset, pageToken, paginate } from "../../wire/paging.js";
import { type Input, optString } from "../../wire/params.js";
import {
  filterPattern,
  filterQuery,
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
import type { LogEvent, LogsModel, LogsState } from "./model.js";
import { logGroupView, logStreamView, metricFilterView, searchedStreamView } from "./views.js";

// CloudWatch Logs' operations: decoded input, model call, commit, API-shaped output.

export function logsOperations(
  model: LogsModel,
  durable: Durable<LogsState>,
  metrics: MetricSink = NO_METRICS,
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
      return { logGroups: page.items.map((g) => logGroupView(ctx, g)), ...nextToken(page) };
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
    PutLogEvents: mutating(durable, (input) => {
      const group = model.group(groupName(input));
      const stream = model.stream(groupName(input), streamName(input));
      publishMetricData(metrics, model.putEvents(group, stream, logEvents(input)));
      return { nextSequenceToken: String(stream.events.length) };
    }),
    GetLogEvents: (input) => {
      const group = model.group(groupName(input));
      const stream = model.stream(groupName(input), streamName(input));
      return eventWindow(model.events(group, stream, timeRange(input)), input);
    },
    FilterLogEvents: (input) => {
      const group = model.group(groupName(input));
      const { streams, events } = model.filter(group, filterQuery(input));
      const page = paginate(events, pageRequest(input, 10000), invalidToken);
      return { events: page.items, searchedLogStreams: streams.map(searchedStreamView), ...nextToken(page) };
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
 * forward token that comes back unchanged tells the reader it has everything.
 */
function eventWindow(events: LogEvent[], input: Input) {
  const limit = limitOf(input, 10000);
  const token = optString(input, "nextToken");
  const from =
    token !== undefined
      ? pageOffset(token.replace(/^[fb]\//, ""), invalidToken)
      : input.startFromHead === true
        ? 0
        : Math.max(0, events.length - limit);
  const page = events.slice(from, from + limit);
  return {
    events: page,
    nextForwardToken: `f/${pageToken(from + page.length)}`,
    nextBackwardToken: `b/${pageToken(Math.max(0, from - limit))}`,
  };
}
