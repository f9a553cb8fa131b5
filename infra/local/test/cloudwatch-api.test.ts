import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CloudWatchClient,
  DeleteAlarmsCommand,
  DescribeAlarmHistoryCommand,
  DescribeAlarmsCommand,
  DescribeAlarmsForMetricCommand,
  DisableAlarmActionsCommand,
  EnableAlarmActionsCommand,
  GetMetricDataCommand,
  GetMetricStatisticsCommand,
  ListMetricsCommand,
  PutMetricAlarmCommand,
  type PutMetricAlarmInput,
  PutMetricDataCommand,
  SetAlarmStateCommand,
} from "@aws-sdk/client-cloudwatch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsCli, startTestRegion, type TestRegion } from "../src/testing/index.js";

// CloudWatch through @aws-sdk/client-cloudwatch (awsJson1_0, query-compatible errors) and through
// Debian's AWS CLI 2.9 (awsQuery), over real HTTP to a region of the test kit.

const MINUTE = 60_000;

let region: TestRegion;
let cw: CloudWatchClient;
/** The start of a whole minute a few minutes ago, so that every datum is inside AWS's time limits. */
const base = Math.floor(Date.now() / MINUTE) * MINUTE - 10 * MINUTE;

beforeAll(async () => {
  region = await startTestRegion();
  cw = region.client(CloudWatchClient);
});
afterAll(async () => {
  await region?.cleanup();
});

/**
 * A refusal as the SDK reports it: `name` is the SDK's exception (InvalidParameterValueException),
 * `code` CloudWatch's awsQuery code (InvalidParameterValue) that the wire sends in x-amzn-query-error.
 */
async function failure(
  promise: Promise<unknown>,
): Promise<{ name?: string; code?: string; message?: string; status?: number }> {
  return promise.then(
    () => ({}),
    (e: { name?: string; Code?: string; message?: string; $metadata?: { httpStatusCode?: number } }) => ({
      name: e.name,
      code: e.Code,
      message: e.message,
      status: e.$metadata?.httpStatusCode,
    }),
  );
}

const alarm = (name: string, extra: Partial<PutMetricAlarmInput> = {}): PutMetricAlarmInput => ({
  AlarmName: name,
  Namespace: "Platform/Api",
  MetricName: "Errors",
  Dimensions: [{ Name: "Service", Value: "api" }],
  Statistic: "Sum",
  Period: 60,
  EvaluationPeriods: 2,
  Threshold: 5,
  ComparisonOperator: "GreaterThanOrEqualToThreshold",
  AlarmActions: ["arn:aws:sns:us-east-1:000000000000:ops"],
  ...extra,
});

describe("CloudWatch metrics through the SDK", () => {
  beforeAll(async () => {
    await cw.send(
      new PutMetricDataCommand({
        Namespace: "Platform/Api",
        MetricData: [
          {
            MetricName: "Latency",
            Dimensions: [{ Name: "Service", Value: "api" }],
            Timestamp: new Date(base),
            Values: [10, 20, 30],
            Unit: "Milliseconds",
          },
          {
            MetricName: "Latency",
            Dimensions: [{ Name: "Service", Value: "api" }],
            Timestamp: new Date(base + MINUTE),
            Value: 40,
            Unit: "Milliseconds",
          },
          {
            MetricName: "Errors",
            Dimensions: [{ Name: "Service", Value: "api" }],
            Timestamp: new Date(base),
            Value: 1,
          },
        ],
      }),
    );
  });

  it("answers GetMetricStatistics with basic and extended statistics per period", async () => {
    const out = await cw.send(
      new GetMetricStatisticsCommand({
        Namespace: "Platform/Api",
        MetricName: "Latency",
        Dimensions: [{ Name: "Service", Value: "api" }],
        StartTime: new Date(base),
        EndTime: new Date(base + 2 * MINUTE),
        Period: 60,
        Statistics: ["Sum", "Average", "SampleCount"],
        ExtendedStatistics: ["p50"],
      }),
    );
    expect(out.Label).toBe("Latency");
    const points = [...(out.Datapoints ?? [])].sort(
      (a, b) => a.Timestamp!.getTime() - b.Timestamp!.getTime(),
    );
    expect(points).toEqual([
      {
        Timestamp: new Date(base),
        Sum: 60,
        Average: 20,
        SampleCount: 3,
        Unit: "Milliseconds",
        ExtendedStatistics: { p50: 20 },
      },
      {
        Timestamp: new Date(base + MINUTE),
        Sum: 40,
        Average: 40,
        SampleCount: 1,
        Unit: "Milliseconds",
        ExtendedStatistics: { p50: 40 },
      },
    ]);
  });

  it("answers GetMetricData's MetricStat queries, newest first unless asked otherwise", async () => {
    const query = (scanBy?: "TimestampAscending") =>
      cw.send(
        new GetMetricDataCommand({
          StartTime: new Date(base),
          EndTime: new Date(base + 2 * MINUTE),
          ...(scanBy ? { ScanBy: scanBy } : {}),
          MetricDataQueries: [
            {
              Id: "latency",
              MetricStat: {
                Metric: {
                  Namespace: "Platform/Api",
                  MetricName: "Latency",
                  Dimensions: [{ Name: "Service", Value: "api" }],
                },
                Period: 60,
                Stat: "Maximum",
              },
            },
          ],
        }),
      );
    const [result] = (await query()).MetricDataResults ?? [];
    expect(result).toMatchObject({
      Id: "latency",
      Label: "Latency",
      StatusCode: "Complete",
      Values: [40, 30],
    });
    expect(result?.Timestamps).toEqual([new Date(base + MINUTE), new Date(base)]);
    expect((await query("TimestampAscending")).MetricDataResults?.[0]?.Values).toEqual([30, 40]);
  });

  it("refuses metric math in GetMetricData with a clear error", async () => {
    const refused = await failure(
      cw.send(
        new GetMetricDataCommand({
          StartTime: new Date(base),
          EndTime: new Date(base + MINUTE),
          MetricDataQueries: [{ Id: "e1", Expression: "SUM(METRICS())" }],
        }),
      ),
    );
    expect(refused).toMatchObject({
      name: "InvalidParameterCombinationException",
      code: "InvalidParameterCombination",
      status: 400,
    });
    expect(refused.message).toMatch(/Metric math .* not supported/);
  });

  it("lists metrics by namespace, name and dimension", async () => {
    const all = await cw.send(new ListMetricsCommand({ Namespace: "Platform/Api" }));
    expect(all.Metrics?.map((m) => m.MetricName).sort()).toEqual(["Errors", "Latency"]);
    const latency = await cw.send(
      new ListMetricsCommand({ MetricName: "Latency", Dimensions: [{ Name: "Service", Value: "api" }] }),
    );
    expect(latency.Metrics).toEqual([
      { Namespace: "Platform/Api", MetricName: "Latency", Dimensions: [{ Name: "Service", Value: "api" }] },
    ]);
  });

  it("takes a gzipped PutMetricData body, as the SDK sends a large one", async () => {
    const gzipping = region.client(CloudWatchClient, { requestMinCompressionSizeBytes: 0 });
    await gzipping.send(
      new PutMetricDataCommand({
        Namespace: "Platform/Gzip",
        MetricData: Array.from({ length: 200 }, (_, i) => ({
          MetricName: "Hits",
          Value: i,
          Timestamp: new Date(base),
        })),
      }),
    );
    const out = await cw.send(
      new GetMetricStatisticsCommand({
        Namespace: "Platform/Gzip",
        MetricName: "Hits",
        StartTime: new Date(base),
        EndTime: new Date(base + MINUTE),
        Period: 60,
        Statistics: ["SampleCount"],
      }),
    );
    expect(out.Datapoints?.[0]?.SampleCount).toBe(200);
  });

  it("answers client mistakes with CloudWatch's codes and a 400", async () => {
    const latencyStatistics = (extra: { Period: number; Statistics?: ["Sum"] }) =>
      cw.send(
        new GetMetricStatisticsCommand({
          Namespace: "Platform/Api",
          MetricName: "Latency",
          StartTime: new Date(base),
          EndTime: new Date(base + MINUTE),
          ...extra,
        }),
      );
    expect(
      await failure(
        cw.send(
          new PutMetricDataCommand({ Namespace: undefined, MetricData: [{ MetricName: "x", Value: 1 }] }),
        ),
      ),
    ).toMatchObject({ name: "MissingRequiredParameterException", code: "MissingParameter", status: 400 });
    expect(
      await failure(
        cw.send(
          new PutMetricDataCommand({ Namespace: "AWS/EC2", MetricData: [{ MetricName: "x", Value: 1 }] }),
        ),
      ),
    ).toMatchObject({ name: "InvalidParameterValueException", code: "InvalidParameterValue", status: 400 });
    expect(await failure(latencyStatistics({ Period: 7, Statistics: ["Sum"] }))).toMatchObject({
      name: "InvalidParameterValueException",
      code: "InvalidParameterValue",
      status: 400,
    });
    expect(await failure(latencyStatistics({ Period: 60 }))).toMatchObject({
      name: "InvalidParameterCombinationException",
      code: "InvalidParameterCombination",
      status: 400,
    });
  });
});

describe("CloudWatch alarms through the SDK", () => {
  it("creates, describes, sets the state of, and deletes alarms, with their history", async () => {
    await cw.send(new PutMetricAlarmCommand(alarm("api-errors")));
    await cw.send(new PutMetricAlarmCommand(alarm("api-errors-strict", { Threshold: 1 })));
    await cw.send(
      new PutMetricAlarmCommand(alarm("web-latency", { MetricName: "Latency", Statistic: "Average" })),
    );

    const [created] =
      (await cw.send(new DescribeAlarmsCommand({ AlarmNames: ["api-errors"] }))).MetricAlarms ?? [];
    expect(created).toMatchObject({
      AlarmName: "api-errors",
      AlarmArn: "arn:aws:cloudwatch:us-east-1:000000000000:alarm:api-errors",
      StateValue: "INSUFFICIENT_DATA",
      StateReason: "Unchecked: Initial alarm creation",
      ActionsEnabled: true,
      Threshold: 5,
      Dimensions: [{ Name: "Service", Value: "api" }],
    });
    expect(created?.StateUpdatedTimestamp).toBeInstanceOf(Date);
    const prefixed = await cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: "api-" }));
    expect(prefixed.MetricAlarms?.map((a) => a.AlarmName)).toEqual(["api-errors", "api-errors-strict"]);
    expect(prefixed.CompositeAlarms).toEqual([]);

    const forMetric = await cw.send(
      new DescribeAlarmsForMetricCommand({
        Namespace: "Platform/Api",
        MetricName: "Errors",
        Dimensions: [{ Name: "Service", Value: "api" }],
      }),
    );
    expect(forMetric.MetricAlarms?.map((a) => a.AlarmName)).toEqual(["api-errors", "api-errors-strict"]);

    await cw.send(
      new SetAlarmStateCommand({
        AlarmName: "api-errors",
        StateValue: "ALARM",
        StateReason: "testing the actions",
      }),
    );
    const inAlarm = await cw.send(new DescribeAlarmsCommand({ StateValue: "ALARM" }));
    expect(inAlarm.MetricAlarms?.map((a) => [a.AlarmName, a.StateReason])).toEqual([
      ["api-errors", "testing the actions"],
    ]);

    const history = await cw.send(new DescribeAlarmHistoryCommand({ AlarmName: "api-errors" }));
    // SetAlarmState runs the ALARM actions, as AWS's does; the topic `ops` does not exist here.
    expect(history.AlarmHistoryItems?.map((h) => [h.HistoryItemType, h.HistorySummary])).toEqual([
      [
        "Action",
        'Failed to execute action arn:aws:sns:us-east-1:000000000000:ops. Received error: "Topic does not exist"',
      ],
      ["StateUpdate", "Alarm updated from INSUFFICIENT_DATA to ALARM"],
      ["ConfigurationUpdate", 'Alarm "api-errors" created'],
    ]);
    const updates = await cw.send(new DescribeAlarmHistoryCommand({ HistoryItemType: "StateUpdate" }));
    expect(updates.AlarmHistoryItems?.map((h) => h.AlarmName)).toEqual(["api-errors"]);

    await cw.send(new DisableAlarmActionsCommand({ AlarmNames: ["api-errors", "not-an-alarm"] }));
    expect(
      (await cw.send(new DescribeAlarmsCommand({ AlarmNames: ["api-errors"] }))).MetricAlarms?.[0]
        ?.ActionsEnabled,
    ).toBe(false);
    await cw.send(new EnableAlarmActionsCommand({ AlarmNames: ["api-errors"] }));
    expect(
      (await cw.send(new DescribeAlarmsCommand({ AlarmNames: ["api-errors"] }))).MetricAlarms?.[0]
        ?.ActionsEnabled,
    ).toBe(true);

    await cw.send(new DeleteAlarmsCommand({ AlarmNames: ["api-errors-strict", "web-latency"] }));
    expect((await cw.send(new DescribeAlarmsCommand({}))).MetricAlarms?.map((a) => a.AlarmName)).toEqual([
      "api-errors",
    ]);
  });

  it("pages DescribeAlarms with MaxRecords and NextToken", async () => {
    for (const name of ["page-a", "page-b", "page-c"]) await cw.send(new PutMetricAlarmCommand(alarm(name)));
    const first = await cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: "page-", MaxRecords: 2 }));
    expect(first.MetricAlarms?.map((a) => a.AlarmName)).toEqual(["page-a", "page-b"]);
    const second = await cw.send(
      new DescribeAlarmsCommand({ AlarmNamePrefix: "page-", MaxRecords: 2, NextToken: first.NextToken }),
    );
    expect(second.MetricAlarms?.map((a) => a.AlarmName)).toEqual(["page-c"]);
    expect(second.NextToken).toBeUndefined();
  });

  it("answers mistakes with ResourceNotFound, InvalidParameterValue, MissingParameter", async () => {
    expect(
      await failure(
        cw.send(new SetAlarmStateCommand({ AlarmName: "nope", StateValue: "OK", StateReason: "r" })),
      ),
    ).toMatchObject({ name: "ResourceNotFound", code: "ResourceNotFound", status: 404 });
    expect(await failure(cw.send(new DeleteAlarmsCommand({ AlarmNames: ["nope"] })))).toMatchObject({
      name: "ResourceNotFound",
      code: "ResourceNotFound",
      status: 404,
    });
    expect(
      await failure(cw.send(new PutMetricAlarmCommand(alarm("bad-period", { Period: 45 })))),
    ).toMatchObject({ name: "InvalidParameterValueException", code: "InvalidParameterValue", status: 400 });
    expect(
      await failure(cw.send(new PutMetricAlarmCommand(alarm("no-metric", { MetricName: undefined })))),
    ).toMatchObject({ name: "MissingRequiredParameterException", code: "MissingParameter", status: 400 });
    expect(
      await failure(
        cw.send(
          new SetAlarmStateCommand({ AlarmName: "page-a", StateValue: "BROKEN" as "OK", StateReason: "r" }),
        ),
      ),
    ).toMatchObject({ name: "InvalidParameterValueException", code: "InvalidParameterValue", status: 400 });
    expect(await failure(cw.send(new DescribeAlarmsCommand({ NextToken: "garbage" })))).toMatchObject({
      name: "InvalidParameterValueException",
      code: "InvalidParameterValue",
      status: 400,
    });
  });

  it("keeps alarms, their history and metric data across a restart", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cloudwatch-restart-"));
    try {
      const first = await startTestRegion([], dir);
      await first.client(CloudWatchClient).send(new PutMetricAlarmCommand(alarm("durable")));
      await first
        .client(CloudWatchClient)
        .send(new SetAlarmStateCommand({ AlarmName: "durable", StateValue: "OK", StateReason: "fine" }));
      await first.client(CloudWatchClient).send(
        new PutMetricDataCommand({
          Namespace: "Platform/Durable",
          MetricData: [{ MetricName: "Kept", Values: [1, 2], Counts: [1, 3], Timestamp: new Date(base) }],
        }),
      );
      await first.cleanup();
      const second = await startTestRegion([], dir);
      const client = second.client(CloudWatchClient);
      const [kept] = (await client.send(new DescribeAlarmsCommand({}))).MetricAlarms ?? [];
      expect(kept).toMatchObject({ AlarmName: "durable", StateValue: "OK", StateReason: "fine" });
      expect((await client.send(new DescribeAlarmHistoryCommand({}))).AlarmHistoryItems).toHaveLength(2);
      const stats = await client.send(
        new GetMetricStatisticsCommand({
          Namespace: "Platform/Durable",
          MetricName: "Kept",
          StartTime: new Date(base),
          EndTime: new Date(base + MINUTE),
          Period: 60,
          Statistics: ["Sum", "SampleCount"],
        }),
      );
      expect(stats.Datapoints?.map((d) => [d.Sum, d.SampleCount])).toEqual([[7, 4]]);
      await second.cleanup();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("CloudWatch through the AWS CLI (awsQuery)", () => {
  const aws = (...args: string[]) => awsCli({ endpoint: region.endpoint, env: region.awsEnv() }, ...args);

  const WEB_REQUESTS = [
    "--namespace",
    "Cli/App",
    "--metric-name",
    "Requests",
    "--dimensions",
    "Name=Service,Value=web",
  ];

  it("puts metric data, reads its statistics and describes alarms", async () => {
    const at = new Date(base).toISOString();
    await aws(
      "cloudwatch",
      "put-metric-data",
      "--namespace",
      "Cli/App",
      "--metric-name",
      "Requests",
      "--dimensions",
      "Service=web",
      "--value",
      "7",
      "--timestamp",
      at,
      "--unit",
      "Count",
    );
    await aws(
      "cloudwatch",
      "put-metric-data",
      "--namespace",
      "Cli/App",
      "--metric-data",
      `MetricName=Requests,Dimensions=[{Name=Service,Value=web}],Value=3,Timestamp=${at},Unit=Count`,
    );
    const stats = (await aws(
      "cloudwatch",
      "get-metric-statistics",
      ...WEB_REQUESTS,
      "--start-time",
      at,
      "--end-time",
      new Date(base + MINUTE).toISOString(),
      "--period",
      "60",
      "--statistics",
      "Sum",
      "Maximum",
      "--extended-statistics",
      "p50",
    )) as {
      Label: string;
      Datapoints: {
        Sum: number;
        Maximum: number;
        Unit: string;
        Timestamp: string;
        ExtendedStatistics: Record<string, number>;
      }[];
    };
    expect(stats.Label).toBe("Requests");
    expect(stats.Datapoints).toHaveLength(1);
    expect(stats.Datapoints[0]).toMatchObject({
      Sum: 10,
      Maximum: 7,
      Unit: "Count",
      ExtendedStatistics: { p50: 3 },
    });
    expect(new Date(stats.Datapoints[0]!.Timestamp).getTime()).toBe(base);

    await aws(
      "cloudwatch",
      "put-metric-alarm",
      "--alarm-name",
      "cli-requests",
      ...WEB_REQUESTS,
      "--statistic",
      "Sum",
      "--period",
      "60",
      "--evaluation-periods",
      "1",
      "--threshold",
      "100.5",
      "--comparison-operator",
      "GreaterThanThreshold",
    );
    const described = (await aws("cloudwatch", "describe-alarms", "--alarm-names", "cli-requests")) as {
      MetricAlarms: Record<string, unknown>[];
    };
    expect(described.MetricAlarms).toHaveLength(1);
    expect(described.MetricAlarms[0]).toMatchObject({
      AlarmName: "cli-requests",
      StateValue: "INSUFFICIENT_DATA",
      Threshold: 100.5,
      Dimensions: [{ Name: "Service", Value: "web" }],
      ActionsEnabled: true,
    });
  }, 60_000);

  it("reports CloudWatch's error codes to the CLI", async () => {
    const refused = await aws(
      "cloudwatch",
      "set-alarm-state",
      "--alarm-name",
      "missing",
      "--state-value",
      "OK",
      "--state-reason",
      "r",
    ).then(
      () => "",
      (e: { stderr?: string }) => e.stderr ?? "",
    );
    expect(refused).toMatch(/ResourceNotFound/);
  }, 60_000);
});
