import { describe, expect, it } from "vitest";
import { EventStore, memorySegments } from "../src/services/logs/event-store.js";
import { MAX_METRIC_FILTERS_PER_GROUP } from "../src/services/logs/metric-filters.js";
import { emptyLogsState, LogsModel, MAX_STREAMS_PER_GROUP } from "../src/services/logs/model.js";
import { codeOf } from "./aws-error.js";

// CloudWatch Logs' rules on plain state, with a clock the test moves: no wire, no disk, no timer.

const DAY = 86_400_000;
/** A stream cap small enough to fill here; the region's is STREAM_LIMITS. */
const MAX_EVENTS_PER_STREAM = 2000;
/** A minute boundary shortly before the clock: events at T + n are recent enough to be accepted. */
const T = Math.floor(1_700_000_000_000 / 60_000) * 60_000 - 120_000;

function logs() {
  const clock = { now: 1_700_000_000_000 };
  const store = new EventStore(memorySegments(), {
    maxEventsPerStream: MAX_EVENTS_PER_STREAM,
    segmentBytes: 4096,
  });
  return { model: new LogsModel(emptyLogsState(), () => clock.now, store), clock };
}

describe("CloudWatch Logs model", () => {
  it("keeps a stream's most recent events and a group's most recently written streams", () => {
    const { model, clock } = logs();
    const group = model.createGroup("/ecs/api");
    const first = model.createStream("/ecs/api", "first");
    model.append(
      group,
      first,
      Array.from({ length: MAX_EVENTS_PER_STREAM + 5 }, (_, i) => ({ timestamp: i, message: `m${i}` })),
    );
    const kept = model.events(group, first, {});
    expect(kept).toHaveLength(MAX_EVENTS_PER_STREAM);
    expect(kept[0]?.message).toBe("m5");
    expect([first.firstEventTimestamp, first.lastEventTimestamp]).toEqual([0, MAX_EVENTS_PER_STREAM + 4]);
    for (let i = 0; i < MAX_STREAMS_PER_GROUP; i++) {
      clock.now += 1;
      model.createStream("/ecs/api", `s${i}`);
    }
    expect(Object.keys(group.streams)).toHaveLength(MAX_STREAMS_PER_GROUP);
    expect(group.streams.first).toBeUndefined();
  });

  it("orders streams by name or last event time and refuses LastEventTime with a prefix", () => {
    const { model } = logs();
    const group = model.createGroup("g");
    model.append(group, model.createStream("g", "b"), [{ timestamp: 1, message: "x" }]);
    model.append(group, model.createStream("g", "a"), [{ timestamp: 2, message: "y" }]);
    const names = (order: Parameters<LogsModel["streamsOf"]>[1]) =>
      model.streamsOf(group, order).map((s) => s.logStreamName);
    expect(names({ prefix: "", byLastEventTime: false, descending: false })).toEqual(["a", "b"]);
    expect(names({ prefix: "", byLastEventTime: true, descending: true })).toEqual(["a", "b"]);
    expect(names({ prefix: "", byLastEventTime: true, descending: false })).toEqual(["b", "a"]);
    expect(codeOf(() => names({ prefix: "a", byLastEventTime: true, descending: false }))).toBe(
      "InvalidParameterException",
    );
  });

  it("takes PutLogEvents in chronological order only and reads events inside the retention period", () => {
    const { model, clock } = logs();
    const group = model.createGroup("g");
    const stream = model.createStream("g", "s");
    const unordered = [
      { timestamp: clock.now, message: "late" },
      { timestamp: clock.now - 1, message: "early" },
    ];
    expect(codeOf(() => model.putEvents(group, stream, unordered))).toBe("InvalidParameterException");
    expect(model.events(group, stream, {})).toEqual([]);
    // Two batches: one batch may not span more than 24 hours.
    model.putEvents(group, stream, [{ timestamp: clock.now - 3 * DAY, message: "old" }]);
    model.putEvents(group, stream, [{ timestamp: clock.now, message: "new" }]);
    model.putRetention("g", 1);
    expect(model.events(group, stream, {}).map((e) => e.message)).toEqual(["new"]);
    expect(model.events(group, stream, { endTime: clock.now }).map((e) => e.message)).toEqual([]);
    model.deleteRetention("g");
    expect(model.events(group, stream, {}).map((e) => e.message)).toEqual(["old", "new"]);
    expect(codeOf(() => model.putRetention("g", 2))).toBe("InvalidParameterException");
  });

  it("frees what retention has expired, a bounded number of segments a sweep", () => {
    const clock = { now: 1_700_000_000_000 };
    const store = new EventStore(memorySegments(), { maxEventsPerStream: 1000, segmentBytes: 1 });
    const model = new LogsModel(emptyLogsState(), () => clock.now, store);
    const group = model.createGroup("g");
    const stream = model.createStream("g", "s");
    for (let i = 0; i < 5; i++)
      model.append(group, stream, [{ timestamp: clock.now - 3 * DAY + i, message: `old ${i}` }]);
    model.append(group, stream, [{ timestamp: clock.now, message: "new" }]);
    expect(model.expire()).toBe(0);
    model.putRetention("g", 1);
    expect(model.expire(2)).toBe(2);
    expect(model.expire()).toBe(3);
    expect([...store.read({ group: "g", stream: "s" })].map((e) => e.message)).toEqual(["new"]);
  });

  it("filters across streams by names or prefix, time and pattern, oldest first", () => {
    const { model } = logs();
    const group = model.createGroup("g");
    model.putEvents(group, model.createStream("g", "web-1"), [{ timestamp: T + 3, message: "ERROR late" }]);
    model.putEvents(group, model.createStream("g", "web-2"), [{ timestamp: T + 1, message: "ERROR early" }]);
    model.putEvents(group, model.createStream("g", "job-1"), [{ timestamp: T + 2, message: "ERROR job" }]);
    const found = model.filter(group, { streamPrefix: "web", pattern: "ERROR" });
    expect(found.streams.map((s) => s.logStreamName)).toEqual(["web-1", "web-2"]);
    expect(found.events.map((e) => [e.logStreamName, e.message, e.eventId])).toEqual([
      ["web-2", "ERROR early", "web-2/0"],
      ["web-1", "ERROR late", "web-1/0"],
    ]);
    const named = model.filter(group, { streamNames: ["job-1"], startTime: T + 2, endTime: T + 3 });
    expect(named.events.map((e) => e.message)).toEqual(["ERROR job"]);
    expect(codeOf(() => model.filter(group, { streamNames: ["job-1"], streamPrefix: "web" }))).toBe(
      "InvalidParameterException",
    );
  });

  it("checks names and answers missing groups and streams with CloudWatch's codes", () => {
    const { model } = logs();
    expect(codeOf(() => model.createGroup("bad name!"))).toBe("InvalidParameterException");
    expect(codeOf(() => model.createGroup(undefined))).toBe("InvalidParameterException");
    model.createGroup("g");
    expect(codeOf(() => model.createGroup("g"))).toBe("ResourceAlreadyExistsException");
    expect(codeOf(() => model.createStream("g", "a:b"))).toBe("InvalidParameterException");
    expect(codeOf(() => model.stream("g", "missing"))).toBe("ResourceNotFoundException");
    expect(codeOf(() => model.group("missing"))).toBe("ResourceNotFoundException");
  });

  it("stores metric filters per group, replaces by name within the quota, publishes per event and quiet minute", () => {
    const { model } = logs();
    const group = model.createGroup("g");
    const filter = (filterName: string, defaultValue?: number) => ({
      filterName,
      filterPattern: "ERROR",
      metricTransformations: [
        {
          metricNamespace: "App",
          metricName: "Errors",
          metricValue: "1",
          ...(defaultValue !== undefined ? { defaultValue } : {}),
        },
      ],
    });
    for (let i = 0; i < MAX_METRIC_FILTERS_PER_GROUP; i++) model.putMetricFilter("g", filter(`f${i}`));
    expect(codeOf(() => model.putMetricFilter("g", filter("one-more")))).toBe("LimitExceededException");
    for (let i = 1; i < MAX_METRIC_FILTERS_PER_GROUP; i++) model.deleteMetricFilter("g", `f${i}`);
    model.putMetricFilter("g", filter("f0", 0));
    expect(model.metricFilters("g", {}).map((f) => f.filterName)).toEqual(["f0"]);
    const published = model.putEvents(group, model.createStream("g", "s"), [
      { timestamp: T, message: "INFO a" },
      { timestamp: T + 1, message: "INFO b" },
      { timestamp: T + 60_000, message: "INFO c" },
      { timestamp: T + 60_001, message: "ERROR d" },
    ]).data;
    expect(published.map((d) => [d.timestamp - T, d.value])).toEqual([
      [60_001, 1],
      [0, 0],
    ]);
    expect(codeOf(() => model.deleteMetricFilter("g", "f0-again"))).toBe("ResourceNotFoundException");
    expect(codeOf(() => model.metricFilters(undefined, { filterNamePrefix: "f" }))).toBe(
      "InvalidParameterException",
    );
  });
});
