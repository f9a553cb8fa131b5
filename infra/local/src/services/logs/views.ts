import type { MetricFilterRecord } from "./metric-filters.js";
import type { LogGroupRecord, LogStreamRecord } from "./model.js";

// Log records in the shapes the CloudWatch Logs API returns.

interface Scope {
  region: string;
  accountId: string;
}

const groupArn = (scope: Scope, name: string) =>
  `arn:aws:logs:${scope.region}:${scope.accountId}:log-group:${name}`;

export function logGroupView(scope: Scope, g: LogGroupRecord, storedBytes: number) {
  return {
    logGroupName: g.logGroupName,
    creationTime: g.creationTime,
    ...(g.retentionInDays !== undefined ? { retentionInDays: g.retentionInDays } : {}),
    metricFilterCount: Object.keys(g.metricFilters ?? {}).length,
    arn: `${groupArn(scope, g.logGroupName)}:*`,
    logGroupArn: groupArn(scope, g.logGroupName),
    storedBytes,
    logGroupClass: "STANDARD",
  };
}

export function logStreamView(scope: Scope, group: LogGroupRecord, stream: LogStreamRecord) {
  const { events: _events, ...s } = stream;
  return {
    ...s,
    arn: `${groupArn(scope, group.logGroupName)}:log-stream:${s.logStreamName}`,
    // Deprecated by AWS for streams and always 0 there.
    storedBytes: 0,
  };
}

export function searchedStreamView(stream: LogStreamRecord) {
  return { logStreamName: stream.logStreamName, searchedCompletely: true };
}

export function metricFilterView(filter: MetricFilterRecord) {
  return { ...filter, applyOnTransformedLogs: false };
}
