import type { MetricTransformation } from "@aws-sdk/client-cloudwatch-logs";
import type { PageRequest } from "../../wire/paging.js";
import { type Input, optString } from "../../wire/params.js";
import type { MetricFilterInput, MetricFilterQuery } from "./metric-filters.js";
import { type FilterCursor, invalidParameter, type TimeRange } from "./model.js";

// CloudWatch Logs' requests decoded into the model's typed inputs. Name rules live in the model
// (the task runner's sink creates groups too); types and list sizes are checked here.

export const groupName = (input: Input) => optString(input, "logGroupName");
export const streamName = (input: Input) => optString(input, "logStreamName");

/** An optional string member; anything else is read as absent, as the Logs API does with prefixes. */
export function text(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

export function optionalNumber(value: unknown, what: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value))
    throw invalidParameter(`${what} must be a number.`);
  return value;
}

/** `limit`, from 1 to `max`, `max` when absent. */
export function limitOf(input: Input, max: number): number {
  const limit = optionalNumber(input.limit, "limit") ?? max;
  if (!Number.isInteger(limit) || limit < 1 || limit > max)
    throw invalidParameter(`limit must be from 1 to ${max}.`);
  return limit;
}

export function timeRange(input: Input): TimeRange {
  return {
    startTime: optionalNumber(input.startTime, "startTime"),
    endTime: optionalNumber(input.endTime, "endTime"),
  };
}

export function streamOrder(input: Input) {
  const byLastEventTime = input.orderBy === "LastEventTime";
  if (input.orderBy !== undefined && input.orderBy !== "LogStreamName" && !byLastEventTime) {
    throw invalidParameter("orderBy must be LogStreamName or LastEventTime.");
  }
  return {
    prefix: text(input.logStreamNamePrefix) ?? "",
    byLastEventTime,
    descending: input.descending === true,
  };
}

/** PutLogEvents' events, typed; their count, size and order are the batch rules' (put-rules.ts). */
export function logEvents(input: Input): { timestamp: number; message: string }[] {
  const events = input.logEvents;
  if (!Array.isArray(events)) {
    throw invalidParameter(
      "1 validation error detected: Value null at 'logEvents' failed to satisfy constraint: Member must not be null",
    );
  }
  return events.map((e, i) => {
    const o = (e ?? {}) as Record<string, unknown>;
    if (typeof o.timestamp !== "number" || typeof o.message !== "string") {
      throw invalidParameter(`logEvents[${i}] needs a numeric timestamp and a string message.`);
    }
    return { timestamp: o.timestamp, message: o.message };
  });
}

/** FilterLogEvents' token: where the previous page stopped. */
export function filterCursor(token: string | undefined): FilterCursor | undefined {
  if (token === undefined || token === "") return undefined;
  try {
    const [timestamp, logStreamName, seq] = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
    if (typeof timestamp === "number" && typeof logStreamName === "string" && typeof seq === "number") {
      return { timestamp, logStreamName, seq };
    }
  } catch {
    // answered below like any other token that is not ours
  }
  throw invalidToken();
}

export const filterToken = (c: FilterCursor) =>
  Buffer.from(JSON.stringify([c.timestamp, c.logStreamName, c.seq])).toString("base64url");

export function filterQuery(input: Input) {
  return {
    streamNames: streamNames(input.logStreamNames),
    streamPrefix: text(input.logStreamNamePrefix),
    ...timeRange(input),
    pattern: text(input.filterPattern),
  };
}

function streamNames(names: unknown): string[] | undefined {
  if (names === undefined) return undefined;
  if (!Array.isArray(names) || names.length === 0 || names.some((n) => typeof n !== "string")) {
    throw invalidParameter("logStreamNames must be a non-empty list.");
  }
  return names;
}

export function metricFilterInput(input: Input): MetricFilterInput {
  return {
    filterName: optString(input, "filterName"),
    filterPattern: filterPattern(input),
    metricTransformations: transformations(input.metricTransformations),
  };
}

export function metricFilterQuery(input: Input): MetricFilterQuery {
  return {
    filterNamePrefix: optString(input, "filterNamePrefix"),
    metricName: optString(input, "metricName"),
    metricNamespace: optString(input, "metricNamespace"),
  };
}

/** TestMetricFilter's messages: 1 to 50 strings. */
export function logEventMessages(input: Input): string[] {
  const messages = input.logEventMessages;
  if (!Array.isArray(messages) || messages.length === 0 || messages.length > 50) {
    throw invalidParameter("logEventMessages must hold 1 to 50 messages.");
  }
  if (messages.some((m) => typeof m !== "string"))
    throw invalidParameter("logEventMessages must be strings.");
  return messages;
}

export function filterPattern(input: Input): string {
  const pattern = input.filterPattern;
  if (typeof pattern !== "string") {
    throw invalidParameter(
      "1 validation error detected: Value null at 'filterPattern' failed to satisfy constraint: Member must not be null",
    );
  }
  return pattern;
}

function transformations(value: unknown): MetricTransformation[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw invalidParameter(
      "1 validation error detected: Value null at 'metricTransformations' failed to satisfy constraint: Member must not be null",
    );
  }
  return value.map((t, i) => {
    const o = (t ?? {}) as Record<string, unknown>;
    const field = (name: string) => text(o[name]);
    const dimensions = o.dimensions;
    if (dimensions !== undefined && (typeof dimensions !== "object" || dimensions === null)) {
      throw invalidParameter(`metricTransformations[${i}].dimensions must be a map of strings.`);
    }
    return {
      metricName: field("metricName"),
      metricNamespace: field("metricNamespace"),
      metricValue: field("metricValue"),
      ...(o.defaultValue !== undefined
        ? { defaultValue: optionalNumber(o.defaultValue, "defaultValue") }
        : {}),
      ...(dimensions ? { dimensions: dimensions as Record<string, string> } : {}),
      ...(field("unit") ? { unit: field("unit") as MetricTransformation["unit"] } : {}),
    };
  });
}

/** A page of a Describe/Filter operation: `limit` items from `nextToken`. */
export function pageRequest(input: Input, max: number): PageRequest {
  return { size: limitOf(input, max), token: optString(input, "nextToken") };
}

export const invalidToken = () => invalidParameter("The specified nextToken is not valid.");
