import type { JsonServiceDefinition, RequestContext } from "../../contracts.js";
import {
  checkStreamName,
  invalidParameter,
  type LogGroupRecord,
  type LogsModel,
  matchesFilterPattern,
} from "./model.js";

// The CloudWatch Logs wire (awsJson1_1, `Logs_20140328`): decode, call the model, commit, encode.

export const LOGS_TARGET_PREFIX = "Logs_20140328";

const groupArn = (ctx: RequestContext, name: string) =>
  `arn:aws:logs:${ctx.region}:${ctx.accountId}:log-group:${name}`;

function optionalNumber(value: unknown, what: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value))
    throw invalidParameter(`${what} must be a number.`);
  return value;
}

function limitOf(value: unknown, max: number): number {
  const limit = optionalNumber(value, "limit") ?? max;
  if (!Number.isInteger(limit) || limit < 1 || limit > max)
    throw invalidParameter(`limit must be from 1 to ${max}.`);
  return limit;
}

function offsetToken(value: unknown): number {
  if (value === undefined || value === null) return 0;
  const n = typeof value === "string" ? Number(value.replace(/^[fb]\//, "")) : Number.NaN;
  if (!Number.isInteger(n) || n < 0) throw invalidParameter("The specified nextToken is not valid.");
  return n;
}

function describeGroup(ctx: RequestContext, g: LogGroupRecord) {
  const storedBytes = Object.values(g.streams).reduce(
    (n, s) => n + s.events.reduce((m, e) => m + e.message.length, 0),
    0,
  );
  return {
    logGroupName: g.logGroupName,
    creationTime: g.creationTime,
    ...(g.retentionInDays !== undefined ? { retentionInDays: g.retentionInDays } : {}),
    metricFilterCount: 0,
    arn: `${groupArn(ctx, g.logGroupName)}:*`,
    logGroupArn: groupArn(ctx, g.logGroupName),
    storedBytes,
    logGroupClass: "STANDARD",
  };
}

export function logsServiceDefinition(model: LogsModel): JsonServiceDefinition {
  const mutate = <T>(change: () => T): T => {
    const result = change();
    model.commit();
    return result;
  };
  return {
    protocol: "awsJson1_1",
    signingName: "logs",
    targetPrefix: LOGS_TARGET_PREFIX,
    operations: {
      CreateLogGroup: (input) =>
        mutate(() => {
          model.createGroup(input.logGroupName);
          return {};
        }),
      DescribeLogGroups: (input, ctx) => {
        const prefix = typeof input.logGroupNamePrefix === "string" ? input.logGroupNamePrefix : "";
        const limit = limitOf(input.limit, 50);
        const all = Object.values(model.groups)
          .filter((g) => g.logGroupName.startsWith(prefix))
          .sort((a, b) => a.logGroupName.localeCompare(b.logGroupName));
        const start = offsetToken(input.nextToken);
        const page = all.slice(start, start + limit);
        return {
          logGroups: page.map((g) => describeGroup(ctx, g)),
          ...(start + limit < all.length ? { nextToken: String(start + limit) } : {}),
        };
      },
      PutRetentionPolicy: (input) =>
        mutate(() => {
          model.putRetention(input.logGroupName, input.retentionInDays);
          return {};
        }),
      DeleteRetentionPolicy: (input) =>
        mutate(() => {
          delete model.group(input.logGroupName).retentionInDays;
          return {};
        }),
      CreateLogStream: (input) =>
        mutate(() => {
          model.createStream(input.logGroupName, input.logStreamName);
          return {};
        }),
      DescribeLogStreams: (input, ctx) => {
        const group = model.group(input.logGroupName);
        const prefix = typeof input.logStreamNamePrefix === "string" ? input.logStreamNamePrefix : "";
        const byTime = input.orderBy === "LastEventTime";
        if (input.orderBy !== undefined && input.orderBy !== "LogStreamName" && !byTime) {
          throw invalidParameter("orderBy must be LogStreamName or LastEventTime.");
        }
        if (byTime && prefix)
          throw invalidParameter("Cannot order by LastEventTime with a logStreamNamePrefix.");
        const streams = Object.values(group.streams)
          .filter((s) => s.logStreamName.startsWith(prefix))
          .sort((a, b) =>
            byTime
              ? (a.lastEventTimestamp ?? 0) - (b.lastEventTimestamp ?? 0)
              : a.logStreamName.localeCompare(b.logStreamName),
          );
        if (input.descending === true) streams.reverse();
        const limit = limitOf(input.limit, 50);
        const start = offsetToken(input.nextToken);
        return {
          logStreams: streams.slice(start, start + limit).map(({ events: _events, ...s }) => ({
            ...s,
            arn: `${groupArn(ctx, group.logGroupName)}:log-stream:${s.logStreamName}`,
            storedBytes: 0,
          })),
          ...(start + limit < streams.length ? { nextToken: String(start + limit) } : {}),
        };
      },
      PutLogEvents: (input) =>
        mutate(() => {
          const stream = model.stream(input.logGroupName, input.logStreamName);
          if (
            !Array.isArray(input.logEvents) ||
            input.logEvents.length === 0 ||
            input.logEvents.length > 10000
          ) {
            throw invalidParameter("logEvents must hold 1 to 10000 events.");
          }
          const events = input.logEvents.map((e, i) => {
            const o = (e ?? {}) as Record<string, unknown>;
            if (typeof o.timestamp !== "number" || typeof o.message !== "string") {
              throw invalidParameter(`logEvents[${i}] needs a numeric timestamp and a string message.`);
            }
            return { timestamp: o.timestamp, message: o.message };
          });
          for (let i = 1; i < events.length; i++) {
            if ((events[i]?.timestamp ?? 0) < (events[i - 1]?.timestamp ?? 0)) {
              throw invalidParameter(
                "Log events in a single PutLogEvents request must be in chronological order.",
              );
            }
          }
          model.append(stream, events);
          return { nextSequenceToken: String(stream.events.length) };
        }),
      GetLogEvents: (input) => {
        const group = model.group(input.logGroupName);
        const stream = model.stream(input.logGroupName, input.logStreamName);
        const startTime = optionalNumber(input.startTime, "startTime") ?? 0;
        const endTime = optionalNumber(input.endTime, "endTime") ?? Number.MAX_SAFE_INTEGER;
        const events = model
          .retained(group, stream)
          .filter((e) => e.timestamp >= startTime && e.timestamp < endTime);
        const limit = limitOf(input.limit, 10000);
        const fromHead = input.startFromHead === true || String(input.nextToken ?? "").startsWith("f/");
        let from: number;
        if (input.nextToken !== undefined) from = offsetToken(input.nextToken);
        else from = fromHead ? 0 : Math.max(0, events.length - limit);
        const page = events.slice(from, from + limit);
        return {
          events: page,
          nextForwardToken: `f/${from + page.length}`,
          nextBackwardToken: `b/${Math.max(0, from - limit)}`,
        };
      },
      FilterLogEvents: (input) => {
        const group = model.group(input.logGroupName);
        const names = input.logStreamNames === undefined ? undefined : (input.logStreamNames as unknown[]);
        if (names !== undefined && (!Array.isArray(names) || names.length === 0)) {
          throw invalidParameter("logStreamNames must be a non-empty list.");
        }
        names?.forEach(checkStreamName);
        const prefix = typeof input.logStreamNamePrefix === "string" ? input.logStreamNamePrefix : undefined;
        if (names && prefix !== undefined) {
          throw invalidParameter("logStreamNames and logStreamNamePrefix are mutually exclusive.");
        }
        const startTime = optionalNumber(input.startTime, "startTime") ?? 0;
        const endTime = optionalNumber(input.endTime, "endTime") ?? Number.MAX_SAFE_INTEGER;
        const pattern = typeof input.filterPattern === "string" ? input.filterPattern : undefined;
        const streams = Object.values(group.streams).filter(
          (s) =>
            (names ? names.includes(s.logStreamName) : true) &&
            (prefix === undefined || s.logStreamName.startsWith(prefix)),
        );
        const matched = streams
          .flatMap((s) =>
            model.retained(group, s).map((e, i) => ({
              logStreamName: s.logStreamName,
              timestamp: e.timestamp,
              message: e.message,
              ingestionTime: e.ingestionTime,
              eventId: `${s.logStreamName}/${i}`,
            })),
          )
          .filter(
            (e) =>
              e.timestamp >= startTime && e.timestamp < endTime && matchesFilterPattern(e.message, pattern),
          )
          .sort((a, b) => a.timestamp - b.timestamp);
        const limit = limitOf(input.limit, 10000);
        const start = offsetToken(input.nextToken);
        return {
          events: matched.slice(start, start + limit),
          searchedLogStreams: streams.map((s) => ({
            logStreamName: s.logStreamName,
            searchedCompletely: true,
          })),
          ...(start + limit < matched.length ? { nextToken: String(start + limit) } : {}),
        };
      },
    },
  };
}
