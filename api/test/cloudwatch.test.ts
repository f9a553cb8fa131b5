import { CloudWatchClient, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { captureLines } from "@platform/telemetry/testing";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { createLogger } from "../src/log.js";
import { DemandPublisher } from "../src/metrics/cloudwatch.js";

// CloudWatch itself cannot run here: the SDK client is mocked, everything else is real.

const cw = mockClient(CloudWatchClient);
const log = createLogger({ level: "error", environment: "test", version: "t", silent: true });

describe("demand metrics", () => {
  beforeEach(() => {
    cw.reset();
    cw.on(PutMetricDataCommand).resolves({});
  });

  it("sends QueueDepth and BacklogPerTask in one batched call with the Environment dimension", async () => {
    let now = 1_700_000_000_000;
    let depth = 0;
    const publisher = new DemandPublisher(
      new CloudWatchClient({ region: "eu-west-1" }),
      { read: async () => ({ queueDepth: depth, tasks: 2 }) },
      "qa",
      60_000,
      log,
      () => now,
    );
    expect(await publisher.tick()).toBe(true);
    now += 20_000;
    expect(await publisher.tick()).toBe(false);
    depth = 8;
    expect(await publisher.tick()).toBe(true);

    const calls = cw.commandCalls(PutMetricDataCommand);
    expect(calls).toHaveLength(2);
    const input = calls[1]!.args[0].input;
    expect(input.Namespace).toBe("Platform/Transcoding");
    expect(input.MetricData?.map((m) => [m.MetricName, m.Value, m.Dimensions])).toEqual([
      ["QueueDepth", 8, [{ Name: "Environment", Value: "qa" }]],
      ["BacklogPerTask", 4, [{ Name: "Environment", Value: "qa" }]],
    ]);
    expect(input.MetricData?.[0]?.Timestamp).toEqual(new Date(now));
  });

  it("marks both at high resolution when asked, for scaling alarms with periods under a minute", async () => {
    const publisher = new DemandPublisher(
      new CloudWatchClient({ region: "eu-west-1" }),
      { read: async () => ({ queueDepth: 3, tasks: 1 }) },
      "qa",
      5_000,
      log,
      () => 0,
      1,
    );
    await publisher.tick();
    const data = cw.commandCalls(PutMetricDataCommand)[0]!.args[0].input.MetricData ?? [];
    expect(data.map((m) => [m.MetricName, m.StorageResolution])).toEqual([
      ["QueueDepth", 1],
      ["BacklogPerTask", 1],
    ]);
  });

  it("reports a failed call to its caller and keeps publishing later", async () => {
    cw.on(PutMetricDataCommand).rejectsOnce(new Error("Throttling")).resolves({});
    let now = 0;
    const publisher = new DemandPublisher(
      new CloudWatchClient({ region: "eu-west-1" }),
      { read: async () => ({ queueDepth: 1, tasks: 1 }) },
      "prod",
      60_000,
      log,
      () => now,
    );
    await expect(publisher.tick()).rejects.toThrow("Throttling");
    now += 1000;
    expect(await publisher.tick()).toBe(true);
  });
});

describe("demand metrics while CloudWatch is down", () => {
  it("warns once when publishing starts failing and says once when it works again", async () => {
    cw.reset();
    cw.on(PutMetricDataCommand).rejects(new Error("connect ECONNREFUSED"));
    const { stream, lines } = captureLines();
    const quietLog = createLogger({ level: "info", environment: "qa", version: "t", stream });
    let depth = 0;
    const publisher = new DemandPublisher(
      new CloudWatchClient({ region: "eu-west-1" }),
      // A new depth every check, so that the policy publishes each time.
      { read: async () => ({ queueDepth: depth++ * 10, tasks: 1 }) },
      "qa",
      60_000,
      quietLog,
    );
    publisher.start(20);
    await expect.poll(() => cw.commandCalls(PutMetricDataCommand).length).toBeGreaterThanOrEqual(5);
    cw.on(PutMetricDataCommand).resolves({});
    await expect
      .poll(() => lines.some((l) => l.message === "publishing demand metrics works again"))
      .toBe(true);
    publisher.stop();
    expect(lines.filter((l) => l.message === "publishing demand metrics failed")).toHaveLength(1);
  });
});
