import type { GetMetricStatisticsInput, MetricDatum } from "@aws-sdk/client-cloudwatch";
import { describe, expect, it } from "vitest";
import {
  MAX_METRICS,
  MAX_VALUES_PER_BUCKET,
  MetricStore,
  MINUTE_RETENTION_MS,
  metricId,
} from "../src/services/cloudwatch/index.js";
import { awsError } from "./cloudwatch-fixtures.js";

// The metric store: PutMetricData's rules, then statistics as GetMetricStatistics and GetMetricData
// compute them ("CloudWatch statistics definitions"), ListMetrics' filters and the retention bounds.

const NOW = Date.UTC(2026, 1, 12, 10, 0, 30);
const MINUTE = 60_000;
const T0 = Date.UTC(2026, 1, 12, 9, 50); // ten whole minutes before NOW

function store(data: MetricDatum[], now = NOW): MetricStore {
  const metrics = new MetricStore();
  metrics.put("App", data, now);
  return metrics;
}

function stats(metrics: MetricStore, input: Partial<GetMetricStatisticsInput> = {}) {
  return metrics.getMetricStatistics({
    Namespace: "App",
    MetricName: "Latency",
    StartTime: new Date(T0),
    EndTime: new Date(NOW),
    Period: 60,
    Statistics: ["SampleCount", "Sum", "Average", "Minimum", "Maximum"],
    ...input,
  });
}

const at = (minute: number, second = 0) => new Date(T0 + minute * MINUTE + second * 1000);

describe("PutMetricData and the five statistics", () => {
  it("aggregates values into periods: SampleCount, Sum, Average, Minimum, Maximum", () => {
    const metrics = store([
      { MetricName: "Latency", Value: 10, Timestamp: at(0, 5), Unit: "Milliseconds" },
      { MetricName: "Latency", Value: 30, Timestamp: at(0, 50), Unit: "Milliseconds" },
      { MetricName: "Latency", Value: 5, Timestamp: at(2, 1), Unit: "Milliseconds" },
    ]);
    expect(stats(metrics)).toEqual([
      {
        Timestamp: at(0),
        SampleCount: 2,
        Sum: 40,
        Average: 20,
        Minimum: 10,
        Maximum: 30,
        Unit: "Milliseconds",
      },
      { Timestamp: at(2), SampleCount: 1, Sum: 5, Average: 5, Minimum: 5, Maximum: 5, Unit: "Milliseconds" },
    ]);
    expect(stats(metrics, { Period: 300, Statistics: ["Sum", "SampleCount"] })).toEqual([
      { Timestamp: at(0), SampleCount: 3, Sum: 45, Unit: "Milliseconds" },
    ]);
  });

  it("Values with Counts stand for repeated values; a statistic set for its four moments", () => {
    const metrics = store([
      { MetricName: "Latency", Values: [1, 2, 3], Counts: [2, 1, 1], Timestamp: at(1) },
      {
        MetricName: "Latency",
        StatisticValues: { SampleCount: 4, Sum: 40, Minimum: 5, Maximum: 20 },
        Timestamp: at(1),
      },
    ]);
    expect(stats(metrics)).toEqual([
      { Timestamp: at(1), SampleCount: 8, Sum: 47, Average: 47 / 8, Minimum: 1, Maximum: 20, Unit: "None" },
    ]);
  });

  it("values put with zero counts make no datapoint", () => {
    const metrics = store([{ MetricName: "Latency", Values: [5], Counts: [0], Timestamp: at(0) }]);
    expect(stats(metrics)).toEqual([]);
  });

  it("dimensions are a set: order does not matter, another set is another metric", () => {
    const a = { Name: "A", Value: "1" };
    const b = { Name: "B", Value: "2" };
    const datum = (Value: number, Dimensions: { Name: string; Value: string }[]) => ({
      MetricName: "Latency",
      Value,
      Timestamp: at(0),
      Dimensions,
    });
    const metrics = store([datum(1, [a, b]), datum(2, [b, a]), datum(100, [a])]);
    const sum = (Dimensions: { Name: string; Value: string }[]) =>
      stats(metrics, { Dimensions, Statistics: ["Sum"] })[0]?.Sum;
    expect(sum([a, b])).toBe(3);
    expect(sum([b, a])).toBe(3);
    expect(sum([a])).toBe(100);
    expect(sum([])).toBeUndefined();
  });

  it("a unit asked for reads that unit's data only", () => {
    const metrics = store([
      { MetricName: "Latency", Value: 1, Unit: "Seconds", Timestamp: at(0) },
      { MetricName: "Latency", Value: 500, Unit: "Milliseconds", Timestamp: at(0) },
    ]);
    expect(stats(metrics, { Unit: "Seconds", Statistics: ["Sum"] })).toEqual([
      { Timestamp: at(0), Sum: 1, Unit: "Seconds" },
    ]);
    expect(stats(metrics, { Statistics: ["Sum"] })).toEqual([{ Timestamp: at(0), Sum: 501, Unit: "None" }]);
    expect(stats(metrics, { Unit: "Bytes", Statistics: ["Sum"] })).toEqual([]);
  });

  it("storage resolution 1 keeps seconds for periods of 1, 5, 10 and 30 s; resolution 60 only minutes", () => {
    const metrics = store([
      { MetricName: "Latency", Value: 1, Timestamp: at(0, 1), StorageResolution: 1 },
      { MetricName: "Latency", Value: 2, Timestamp: at(0, 12), StorageResolution: 1 },
      { MetricName: "Latency", Value: 4, Timestamp: at(0, 13), StorageResolution: 60 },
    ]);
    const tenSeconds = { Period: 10, Statistics: ["Sum" as const], EndTime: at(1) };
    expect(stats(metrics, tenSeconds)).toEqual([
      { Timestamp: at(0, 0), Sum: 1, Unit: "None" },
      { Timestamp: at(0, 10), Sum: 2, Unit: "None" },
    ]);
    expect(stats(metrics, { Statistics: ["Sum"] })).toEqual([{ Timestamp: at(0), Sum: 7, Unit: "None" }]);
  });

  it("GetMetricData's MetricStat: values per period, newest first", () => {
    const metrics = store([
      { MetricName: "Latency", Value: 1, Timestamp: at(0) },
      { MetricName: "Latency", Value: 3, Timestamp: at(3) },
    ]);
    const result = metrics.metricStatValues(metricId("App", "Latency"), "Maximum", 60, {
      start: T0,
      end: NOW,
    });
    expect(result).toEqual({ Timestamps: [at(3), at(0)], Values: [3, 1] });
  });
});

describe("percentiles (extended statistics)", () => {
  const hundred: MetricDatum[] = Array.from({ length: 100 }, (_, i) => ({
    MetricName: "Latency",
    Value: i + 1,
    Timestamp: at(0),
  }));

  it("p50, p95, p99, p99.9, p0 and p100: the nearest-rank value of the period's samples", () => {
    const metrics = store(hundred);
    const [point] = stats(metrics, {
      Statistics: [],
      ExtendedStatistics: ["p50", "p95", "p99", "p99.9", "p0", "p100"],
    });
    expect(point?.ExtendedStatistics).toEqual({ p50: 50, p95: 95, p99: 99, "p99.9": 100, p0: 1, p100: 100 });
  });

  it("counts weigh values; periods merge their minutes", () => {
    const metrics = store([
      { MetricName: "Latency", Values: [10, 1000], Counts: [99, 1], Timestamp: at(0) },
      { MetricName: "Latency", Value: 2000, Timestamp: at(1) },
    ]);
    const [point] = stats(metrics, {
      Period: 300,
      Statistics: ["SampleCount"],
      ExtendedStatistics: ["p99", "p99.5"],
    });
    expect(point).toMatchObject({ SampleCount: 101, ExtendedStatistics: { p99: 1000, "p99.5": 2000 } });
  });

  it("need raw values: a statistic set counts only when it stands for one repeated value", () => {
    const repeated = store([
      {
        MetricName: "Latency",
        StatisticValues: { SampleCount: 3, Sum: 6, Minimum: 2, Maximum: 2 },
        Timestamp: at(0),
      },
    ]);
    expect(stats(repeated, { ExtendedStatistics: ["p90"] })[0]?.ExtendedStatistics).toEqual({ p90: 2 });
    const opaque = store([
      {
        MetricName: "Latency",
        StatisticValues: { SampleCount: 3, Sum: 9, Minimum: 2, Maximum: 4 },
        Timestamp: at(0),
      },
    ]);
    expect(stats(opaque, { ExtendedStatistics: ["p90"] })[0]).not.toHaveProperty("ExtendedStatistics");
  });

  it("are not available when a value is negative", () => {
    const metrics = store([
      { MetricName: "Latency", Value: -1, Timestamp: at(0) },
      { MetricName: "Latency", Value: 5, Timestamp: at(0) },
    ]);
    expect(stats(metrics, { Statistics: ["Minimum"], ExtendedStatistics: ["p50"] })).toEqual([
      { Timestamp: at(0), Minimum: -1, Unit: "None" },
    ]);
  });

  it("trimmed means and the other extended statistics are refused as unsupported", () => {
    const metrics = store(hundred);
    expect(awsError(() => stats(metrics, { ExtendedStatistics: ["tm99"] })).message).toBe(
      "The extended statistic tm99 is not supported by the local region.",
    );
    expect(awsError(() => stats(metrics, { ExtendedStatistics: ["p101"] })).code).toBe(
      "InvalidParameterValue",
    );
  });
});

describe("ListMetrics", () => {
  const metrics = new MetricStore();
  metrics.put(
    "App",
    [
      { MetricName: "Latency", Value: 1, Dimensions: [{ Name: "Service", Value: "api" }] },
      { MetricName: "Latency", Value: 1, Dimensions: [{ Name: "Service", Value: "media" }] },
      {
        MetricName: "Errors",
        Value: 1,
        Dimensions: [
          { Name: "Service", Value: "api" },
          { Name: "Env", Value: "qa" },
        ],
      },
    ],
    NOW - 4 * 3_600_000,
  );
  metrics.put("Other", [{ MetricName: "Latency", Value: 1 }], NOW);
  const names = (input: Parameters<MetricStore["listMetrics"]>[0]) =>
    metrics
      .listMetrics(input, NOW)
      .map((m) => `${m.Namespace}/${m.MetricName}/${m.Dimensions?.map((d) => d.Value).join(",")}`);

  it("filters by namespace, metric name and dimensions (name alone, or name and value)", () => {
    expect(names({})).toHaveLength(4);
    expect(names({ Namespace: "App" })).toEqual([
      "App/Latency/api",
      "App/Latency/media",
      "App/Errors/qa,api",
    ]);
    expect(names({ MetricName: "Latency", Namespace: "App" })).toEqual([
      "App/Latency/api",
      "App/Latency/media",
    ]);
    expect(names({ Dimensions: [{ Name: "Env" }] })).toEqual(["App/Errors/qa,api"]);
    expect(names({ Dimensions: [{ Name: "Service", Value: "api" }] })).toEqual([
      "App/Latency/api",
      "App/Errors/qa,api",
    ]);
  });

  it("RecentlyActive PT3H keeps the metrics written in the last three hours", () => {
    expect(names({ RecentlyActive: "PT3H" })).toEqual(["Other/Latency/"]);
  });
});

describe("PutMetricData and GetMetricStatistics errors", () => {
  const put = (datum: Partial<MetricDatum>, namespace = "App") =>
    awsError(() => new MetricStore().put(namespace, [{ MetricName: "Latency", ...datum }], NOW));

  it("rejects what the API reference rules out, storing nothing of the request", () => {
    expect(put({ Value: 1 }, "AWS/EC2").message).toBe(
      "The value AWS/EC2 for parameter Namespace is invalid.",
    );
    expect(put({}).message).toBe("The parameter MetricData.member.1.Value is required.");
    expect(put({ Value: 1, Values: [1] }).code).toBe("InvalidParameterCombination");
    expect(put({ Values: [1, 2], Counts: [1] }).message).toBe(
      "The parameters MetricData.member.1.Values and MetricData.member.1.Counts must be of the same size.",
    );
    expect(put({ Value: Number.NaN }).message).toBe(
      "The value NaN for parameter MetricData.member.1.Value is invalid.",
    );
    expect(put({ Value: 2 ** 361 }).code).toBe("InvalidParameterValue");
    expect(put({ Values: Array.from({ length: 151 }, () => 1) }).code).toBe("InvalidParameterValue");
    expect(put({ Value: 1, Timestamp: new Date(NOW - 15 * 86_400_000) }).message).toMatch(
      /two weeks in the past/,
    );
    expect(put({ Value: 1, Timestamp: new Date(NOW + 3 * 3_600_000) }).message).toMatch(
      /two hours in the future/,
    );
    expect(put({ Value: 1, StorageResolution: 5 }).code).toBe("InvalidParameterValue");
    expect(put({ Value: 1, Unit: "Parsecs" as MetricDatum["Unit"] }).code).toBe("InvalidParameterValue");
    expect(put({ StatisticValues: { SampleCount: 0, Sum: 0, Minimum: 0, Maximum: 0 } }).code).toBe(
      "InvalidParameterValue",
    );
    expect(
      put({
        Value: 1,
        Dimensions: [
          { Name: "A", Value: "1" },
          { Name: "A", Value: "2" },
        ],
      }).code,
    ).toBe("InvalidParameterValue");

    const metrics = new MetricStore();
    awsError(() => metrics.put("App", [{ MetricName: "Latency", Value: 1 }, { MetricName: "Latency" }], NOW));
    expect(metrics.listMetrics({}, NOW)).toEqual([]);
  });

  it("GetMetricStatistics: a statistic, a valid period and at most 1,440 datapoints", () => {
    const metrics = store([{ MetricName: "Latency", Value: 1, Timestamp: at(0) }]);
    expect(awsError(() => stats(metrics, { Statistics: [] })).message).toBe(
      "At least one of the parameters Statistics and ExtendedStatistics must be specified.",
    );
    expect(awsError(() => stats(metrics, { Period: 7 })).code).toBe("InvalidParameterValue");
    expect(awsError(() => stats(metrics, { StartTime: new Date(NOW), EndTime: new Date(T0) })).code).toBe(
      "InvalidParameterValue",
    );
    expect(awsError(() => stats(metrics, { Period: 1, StartTime: new Date(NOW - 3_600_000) })).message).toBe(
      "You have requested up to 3600 datapoints, which exceeds the limit of 1440. You may reduce the datapoints requested by increasing Period, or decreasing the time range.",
    );
  });
});

describe("bounded retention", () => {
  it("minute data is kept for 24 hours", () => {
    const metrics = new MetricStore();
    const old = NOW - MINUTE_RETENTION_MS + MINUTE;
    metrics.put("App", [{ MetricName: "Latency", Value: 1, Timestamp: new Date(old) }], NOW);
    const day = {
      StartTime: new Date(old - 2 * MINUTE),
      EndTime: new Date(old + MINUTE),
      Statistics: ["Sum" as const],
    };
    expect(stats(metrics, day)).toHaveLength(1);
    metrics.put("App", [{ MetricName: "Latency", Value: 1, Timestamp: new Date(NOW) }], NOW + 2 * MINUTE);
    expect(stats(metrics, day)).toEqual([]);
    // A datum older than what is kept is accepted (AWS takes two weeks) but not stored.
    metrics.put(
      "App",
      [{ MetricName: "Latency", Value: 1, Timestamp: new Date(NOW - 2 * MINUTE_RETENTION_MS) }],
      NOW,
    );
  });

  it("keeps at most MAX_METRICS metrics, dropping the least recently written", () => {
    const metrics = new MetricStore();
    metrics.put("App", [{ MetricName: "first", Value: 1 }], NOW);
    for (let i = 0; i < MAX_METRICS / 1000; i++) {
      const batch = Array.from({ length: 1000 }, (_, j) => ({ MetricName: `m${i * 1000 + j}`, Value: 1 }));
      metrics.put("App", batch, NOW + 1);
    }
    const listed = metrics.listMetrics({}, NOW + 1);
    expect(listed).toHaveLength(MAX_METRICS);
    expect(listed.some((m) => m.MetricName === "first")).toBe(false);
  });

  it("over its entry budget the store keeps a shorter history for every metric, not fewer metrics", () => {
    const metrics = new MetricStore({ maxMetrics: MAX_METRICS, maxStoredEntries: 3000 });
    const start = NOW - 60 * MINUTE;
    for (let minute = 0; minute < 60; minute++) {
      const Values = Array.from({ length: 100 }, (_, i) => minute * 1000 + i);
      const time = start + minute * MINUTE;
      metrics.put("App", [{ MetricName: "Latency", Values, Timestamp: new Date(time) }], time);
      metrics.put("App", [{ MetricName: "Other", Value: minute, Timestamp: new Date(time) }], time);
    }
    expect(metrics.storedEntries).toBeLessThanOrEqual(3000);
    const history = (MetricName: string) =>
      stats(metrics, {
        MetricName,
        StartTime: new Date(start),
        EndTime: new Date(NOW),
        Statistics: ["SampleCount"],
      });
    const latency = history("Latency");
    expect(latency.length).toBeGreaterThan(20);
    expect(latency.length).toBeLessThan(30);
    expect(latency.at(-1)?.Timestamp).toEqual(new Date(NOW - MINUTE - 30_000));
    expect(history("Other").length).toBe(latency.length);
  });

  it("keeps at most MAX_VALUES_PER_BUCKET distinct values a minute: past it values join their neighbour", () => {
    const values = Array.from({ length: MAX_VALUES_PER_BUCKET }, (_, i) => i);
    const metrics = new MetricStore();
    for (let i = 0; i < values.length; i += 150) {
      metrics.put(
        "App",
        [{ MetricName: "Latency", Values: values.slice(i, i + 150), Timestamp: at(0) }],
        NOW,
      );
    }
    metrics.put("App", [{ MetricName: "Latency", Value: 10_000, Timestamp: at(0) }], NOW);
    const [point] = stats(metrics, { Statistics: ["SampleCount", "Maximum"], ExtendedStatistics: ["p100"] });
    expect(point).toMatchObject({ SampleCount: MAX_VALUES_PER_BUCKET + 1, Maximum: 10_000 });
    expect(point?.ExtendedStatistics?.p100).toBe(MAX_VALUES_PER_BUCKET - 1);
  });
});
