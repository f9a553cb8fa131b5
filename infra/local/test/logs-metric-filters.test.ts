import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CloudWatchClient, GetMetricStatisticsCommand } from "@aws-sdk/client-cloudwatch";
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DeleteMetricFilterCommand,
  DescribeLogGroupsCommand,
  DescribeMetricFiltersCommand,
  FilterLogEventsCommand,
  PutLogEventsCommand,
  PutMetricFilterCommand,
  TestMetricFilterCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LogsPlugin } from "../src/services/logs/plugin.js";
import { awsCli, startTestRegion, type TestRegion } from "../src/testing/index.js";

// Metric filters end to end: CloudWatch Logs' SDK client puts filters and events, CloudWatch's
// reads the metrics back; Debian's AWS CLI (by path, as in compat-clients.test.ts) does the same.

const MINUTE = 60_000;

let region: TestRegion;
let plugin: LogsPlugin;
let logs: CloudWatchLogsClient;
let cloudwatch: CloudWatchClient;

beforeAll(async () => {
  plugin = new LogsPlugin();
  region = await startTestRegion([plugin]);
  logs = region.client(CloudWatchLogsClient);
  cloudwatch = region.client(CloudWatchClient);
});
afterAll(async () => {
  await region?.cleanup();
});

async function groupWithStream(logGroupName: string, logStreamName = "s") {
  await logs.send(new CreateLogGroupCommand({ logGroupName }));
  await logs.send(new CreateLogStreamCommand({ logGroupName, logStreamName }));
}

function putEvents(logGroupName: string, logEvents: { timestamp: number; message: string }[]) {
  return logs.send(new PutLogEventsCommand({ logGroupName, logStreamName: "s", logEvents }));
}

/** The start of a whole minute a few minutes ago: inside CloudWatch's time limits, with room after it. */
const minutesAgo = (n: number) => Math.floor(Date.now() / MINUTE) * MINUTE - n * MINUTE;

const errorFilter = (logGroupName: string, extra: { defaultValue?: number } = {}) =>
  new PutMetricFilterCommand({
    logGroupName,
    filterName: "errors",
    filterPattern: '{ $.level = "error" }',
    metricTransformations: [
      {
        metricNamespace: "App",
        metricName: `Errors-${logGroupName}`,
        metricValue: "1",
        unit: "Count",
        ...extra,
      },
    ],
  });

async function sums(metricName: string, start: number, end: number) {
  const out = await cloudwatch.send(
    new GetMetricStatisticsCommand({
      Namespace: "App",
      MetricName: metricName,
      StartTime: new Date(start),
      EndTime: new Date(end),
      Period: 60,
      Statistics: ["Sum", "SampleCount"],
    }),
  );
  return (out.Datapoints ?? [])
    .sort((a, b) => (a.Timestamp?.getTime() ?? 0) - (b.Timestamp?.getTime() ?? 0))
    .map((d) => ({ at: d.Timestamp?.getTime(), sum: d.Sum, count: d.SampleCount, unit: d.Unit }));
}

async function awsError(promise: Promise<unknown>): Promise<{ name: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    return error as { name: string; message: string };
  }
  throw new Error("expected an error");
}

describe("CloudWatch Logs metric filters", () => {
  it("publishes a JSON filter's metric at the events' times, GetMetricStatistics reads it back", async () => {
    await groupWithStream("/app/a");
    await logs.send(errorFilter("/app/a"));
    const minute = minutesAgo(5);
    await putEvents("/app/a", [
      { timestamp: minute + 1000, message: '{"level":"error","msg":"disk full"}' },
      { timestamp: minute + 2000, message: '{"level":"info","msg":"ok"}' },
      { timestamp: minute + 3000, message: '{"level":"error","msg":"again"}' },
      { timestamp: minute + MINUTE + 1000, message: '{"level":"error"}' },
      { timestamp: minute + 2 * MINUTE, message: "not json" },
    ]);
    expect(await sums("Errors-/app/a", minute, minute + 3 * MINUTE)).toEqual([
      { at: minute, sum: 2, count: 2, unit: "Count" },
      { at: minute + MINUTE, sum: 1, count: 1, unit: "Count" },
    ]);
    const groups = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: "/app/a" }));
    expect(groups.logGroups?.[0]?.metricFilterCount).toBe(1);
  });

  it("publishes the default value once for a minute with events but no match", async () => {
    await groupWithStream("/app/b");
    await logs.send(errorFilter("/app/b", { defaultValue: 0 }));
    const minute = minutesAgo(5);
    await putEvents("/app/b", [
      { timestamp: minute + 1000, message: '{"level":"info"}' },
      { timestamp: minute + 2000, message: '{"level":"info"}' },
      { timestamp: minute + MINUTE, message: '{"level":"info"}' },
      { timestamp: minute + MINUTE + 1, message: '{"level":"error"}' },
    ]);
    expect(await sums("Errors-/app/b", minute, minute + 2 * MINUTE)).toEqual([
      { at: minute, sum: 0, count: 1, unit: "Count" },
      { at: minute + MINUTE, sum: 1, count: 1, unit: "Count" },
    ]);
  });

  it("describes filters by group, name prefix and metric, pages them, and deletes them", async () => {
    await groupWithStream("/app/c");
    for (const name of ["f1", "f2", "g1"]) {
      await logs.send(
        new PutMetricFilterCommand({
          logGroupName: "/app/c",
          filterName: name,
          filterPattern: "ERROR",
          metricTransformations: [{ metricNamespace: "App", metricName: `M-${name}`, metricValue: "1" }],
        }),
      );
    }
    const byPrefix = await logs.send(
      new DescribeMetricFiltersCommand({ logGroupName: "/app/c", filterNamePrefix: "f", limit: 1 }),
    );
    expect(byPrefix.metricFilters?.map((f) => f.filterName)).toEqual(["f1"]);
    const rest = await logs.send(
      new DescribeMetricFiltersCommand({
        logGroupName: "/app/c",
        filterNamePrefix: "f",
        nextToken: byPrefix.nextToken,
      }),
    );
    expect(rest.metricFilters?.map((f) => f.filterName)).toEqual(["f2"]);
    expect(rest.nextToken).toBeUndefined();
    const byMetric = await logs.send(
      new DescribeMetricFiltersCommand({ metricName: "M-g1", metricNamespace: "App" }),
    );
    expect(byMetric.metricFilters).toMatchObject([
      {
        filterName: "g1",
        logGroupName: "/app/c",
        filterPattern: "ERROR",
        metricTransformations: [{ metricNamespace: "App", metricName: "M-g1", metricValue: "1" }],
      },
    ]);
    await logs.send(new DeleteMetricFilterCommand({ logGroupName: "/app/c", filterName: "g1" }));
    const left = await logs.send(new DescribeMetricFiltersCommand({ logGroupName: "/app/c" }));
    expect(left.metricFilters?.map((f) => f.filterName)).toEqual(["f1", "f2"]);
  });

  it("tests a pattern against messages with TestMetricFilter", async () => {
    const out = await logs.send(
      new TestMetricFilterCommand({
        filterPattern: "[ip, user, status = 5*]",
        logEventMessages: ["127.0.0.1 alice 503", "127.0.0.1 bob 200", "10.0.0.1 carol 500"],
      }),
    );
    expect(out.matches).toEqual([
      {
        eventNumber: 1,
        eventMessage: "127.0.0.1 alice 503",
        extractedValues: { $ip: "127.0.0.1", $user: "alice", $status: "503" },
      },
      {
        eventNumber: 3,
        eventMessage: "10.0.0.1 carol 500",
        extractedValues: { $ip: "10.0.0.1", $user: "carol", $status: "500" },
      },
    ]);
  });

  it("answers mistakes with CloudWatch Logs' errors", async () => {
    expect(await awsError(logs.send(errorFilter("/nope")))).toMatchObject({
      name: "ResourceNotFoundException",
      message: "The specified log group does not exist.",
    });
    await groupWithStream("/app/d");
    const bad = await awsError(
      logs.send(
        new PutMetricFilterCommand({
          logGroupName: "/app/d",
          filterName: "bad",
          filterPattern: "{ $.level = ",
          metricTransformations: [{ metricNamespace: "App", metricName: "M", metricValue: "1" }],
        }),
      ),
    );
    expect(bad).toMatchObject({
      name: "InvalidParameterException",
      message: "Invalid metric filter pattern",
    });
    expect(
      await awsError(
        logs.send(new DeleteMetricFilterCommand({ logGroupName: "/app/d", filterName: "none" })),
      ),
    ).toMatchObject({
      name: "ResourceNotFoundException",
      message: "The specified metric filter does not exist.",
    });
    expect(
      await awsError(
        logs.send(new FilterLogEventsCommand({ logGroupName: "/app/d", filterPattern: "{ $.x = " })),
      ),
    ).toMatchObject({ name: "InvalidParameterException", message: "Invalid filter pattern" });
    for (let i = 0; i < 100; i++) {
      await logs.send(
        new PutMetricFilterCommand({
          logGroupName: "/app/d",
          filterName: `f${i}`,
          filterPattern: "",
          metricTransformations: [{ metricNamespace: "App", metricName: "M", metricValue: "1" }],
        }),
      );
    }
    expect(await awsError(logs.send(errorFilter("/app/d")))).toMatchObject({
      name: "LimitExceededException",
    });
  });

  it("publishes for container output, which the task runner writes through the plugin", async () => {
    await groupWithStream("/app/task");
    await logs.send(errorFilter("/app/task"));
    const minute = minutesAgo(2);
    plugin.write("/app/task", "ecs/web/1", [
      { timestamp: minute + 1, message: '{"level":"error"}' },
      { timestamp: minute + 2, message: '{"level":"debug"}' },
    ]);
    expect(await sums("Errors-/app/task", minute, minute + MINUTE)).toEqual([
      { at: minute, sum: 1, count: 1, unit: "Count" },
    ]);
  });

  it("keeps filters and published metrics across a restart", async () => {
    const dir = mkdtempSync(join(tmpdir(), "logs-metric-filters-"));
    try {
      const minute = minutesAgo(1);
      const first = await startTestRegion([new LogsPlugin()], dir);
      const firstLogs = first.client(CloudWatchLogsClient);
      await firstLogs.send(new CreateLogGroupCommand({ logGroupName: "/kept" }));
      await firstLogs.send(new CreateLogStreamCommand({ logGroupName: "/kept", logStreamName: "s" }));
      await firstLogs.send(errorFilter("/kept"));
      await firstLogs.send(
        new PutLogEventsCommand({
          logGroupName: "/kept",
          logStreamName: "s",
          logEvents: [{ timestamp: minute, message: '{"level":"error"}' }],
        }),
      );
      await first.cleanup();
      const second = await startTestRegion([new LogsPlugin()], dir);
      try {
        const described = await second
          .client(CloudWatchLogsClient)
          .send(new DescribeMetricFiltersCommand({ logGroupName: "/kept" }));
        expect(described.metricFilters?.map((f) => f.filterName)).toEqual(["errors"]);
        const stats = await second.client(CloudWatchClient).send(
          new GetMetricStatisticsCommand({
            Namespace: "App",
            MetricName: "Errors-/kept",
            StartTime: new Date(minute),
            EndTime: new Date(minute + MINUTE),
            Period: 60,
            Statistics: ["Sum"],
          }),
        );
        expect(stats.Datapoints?.map((d) => d.Sum)).toEqual([1]);
      } finally {
        await second.cleanup();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("filters events with a JSON pattern", async () => {
    await groupWithStream("/app/e");
    const now = Date.now();
    await putEvents("/app/e", [
      { timestamp: now, message: '{"status": 500, "path": "/a"}' },
      { timestamp: now + 1, message: '{"status": 200, "path": "/b"}' },
      { timestamp: now + 2, message: "status 500 in text" },
    ]);
    const out = await logs.send(
      new FilterLogEventsCommand({ logGroupName: "/app/e", filterPattern: "{ $.status >= 500 }" }),
    );
    expect(out.events?.map((e) => e.message)).toEqual(['{"status": 500, "path": "/a"}']);
  });
});

describe("metric filters through the AWS CLI", () => {
  const aws = (...args: string[]) => awsCli({ endpoint: region.endpoint, env: region.awsEnv() }, ...args);

  // Three CLI runs of about a second each, more on a loaded machine.
  it("puts and describes a metric filter and filters events", { timeout: 30_000 }, async () => {
    await groupWithStream("/cli/app");
    await aws(
      "logs",
      "put-metric-filter",
      "--log-group-name",
      "/cli/app",
      "--filter-name",
      "cli-errors",
      "--filter-pattern",
      '{ $.level = "error" }',
      "--metric-transformations",
      "metricName=CliErrors,metricNamespace=App,metricValue=1,defaultValue=0",
    );
    const described = await aws("logs", "describe-metric-filters", "--log-group-name", "/cli/app");
    expect(described.metricFilters).toMatchObject([
      {
        filterName: "cli-errors",
        filterPattern: '{ $.level = "error" }',
        metricTransformations: [
          { metricName: "CliErrors", metricNamespace: "App", metricValue: "1", defaultValue: 0 },
        ],
      },
    ]);
    await putEvents("/cli/app", [
      { timestamp: Date.now(), message: '{"level":"error"}' },
      { timestamp: Date.now(), message: '{"level":"info"}' },
    ]);
    const found = await aws(
      "logs",
      "filter-log-events",
      "--log-group-name",
      "/cli/app",
      "--filter-pattern",
      '{ $.level = "error" }',
    );
    expect((found.events as { message: string }[]).map((e) => e.message)).toEqual(['{"level":"error"}']);
  });
});
