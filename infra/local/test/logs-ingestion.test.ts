import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DeleteRetentionPolicyCommand,
  DescribeLogGroupsCommand,
  GetLogEventsCommand,
  PutLogEventsCommand,
  PutRetentionPolicyCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { INGESTION_ROUTE, LogsPlugin } from "../src/services/logs/plugin.js";
import { startTestRegion, type TestRegion } from "../src/testing/index.js";

// PutLogEvents' refusals and partial acceptance, retention and the ingestion counters, through
// the Logs SDK client over real HTTP; then events across a region restart.

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let region: TestRegion;
let plugin: LogsPlugin;
let logs: CloudWatchLogsClient;

beforeAll(async () => {
  plugin = new LogsPlugin({ log: () => {} });
  region = await startTestRegion([plugin]);
  logs = region.client(CloudWatchLogsClient);
});
afterAll(async () => {
  await region?.cleanup();
});

async function stream(logGroupName: string, logStreamName = "s") {
  await logs.send(new CreateLogGroupCommand({ logGroupName }));
  await logs.send(new CreateLogStreamCommand({ logGroupName, logStreamName }));
}

const put = (logGroupName: string, logEvents: { timestamp: number; message: string }[], extra = {}) =>
  logs.send(new PutLogEventsCommand({ logGroupName, logStreamName: "s", logEvents, ...extra }));

async function messages(logGroupName: string, logStreamName = "s") {
  const out = await logs.send(new GetLogEventsCommand({ logGroupName, logStreamName, startFromHead: true }));
  return out.events?.map((e) => e.message);
}

async function refusal(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (e: Error) => e,
  );
  return { name: error?.name, message: error?.message };
}

describe("PutLogEvents as CloudWatch takes it", () => {
  it("refuses an oversized, overfull, unordered or over-24-hour batch and keeps what it stored", async () => {
    await stream("/bad");
    const now = Date.now();
    await put("/bad", [{ timestamp: now, message: "kept" }]);
    const tooBig = [{ timestamp: now, message: "x".repeat(1_048_576 - 25) }];
    expect(await refusal(put("/bad", tooBig))).toEqual({
      name: "InvalidParameterException",
      message: "Upload too large: 1048577 bytes exceeds limit of 1048576",
    });
    const tooMany = Array.from({ length: 10_001 }, () => ({ timestamp: now, message: "m" }));
    expect((await refusal(put("/bad", tooMany))).message).toMatch(/less than or equal to 10000/);
    const unordered = [
      { timestamp: now, message: "b" },
      { timestamp: now - 1, message: "a" },
    ];
    expect((await refusal(put("/bad", unordered))).message).toBe(
      "Log events in a single PutLogEvents request must be in chronological order.",
    );
    const wide = [
      { timestamp: now - 25 * HOUR, message: "a" },
      { timestamp: now, message: "b" },
    ];
    expect((await refusal(put("/bad", wide))).message).toMatch(/cannot span more than 24 hours/);
    expect(await messages("/bad")).toEqual(["kept"]);
  });

  it("stores the events inside the window and reports the others by index", async () => {
    await stream("/window");
    const now = Date.now();
    const out = await put("/window", [
      { timestamp: now - 15 * DAY, message: "too old" },
      { timestamp: now - HOUR, message: "a" },
      { timestamp: now, message: "b" },
      { timestamp: now + 3 * HOUR, message: "too new" },
    ]);
    expect(out.rejectedLogEventsInfo).toEqual({ tooOldLogEventEndIndex: 1, tooNewLogEventStartIndex: 3 });
    expect(await messages("/window")).toEqual(["a", "b"]);
    const counted = plugin.ingestion();
    expect(counted.dropped["rejected-by-put-rules"]).toBeGreaterThanOrEqual(2);
    expect(counted.received).toBe(
      counted.stored + counted.buffered + counted.dropped["rejected-by-put-rules"]!,
    );
  });

  it("ignores the sequence token and answers a missing group or stream with ResourceNotFoundException", async () => {
    await stream("/token");
    await put("/token", [{ timestamp: Date.now(), message: "one" }], { sequenceToken: "not-a-token" });
    await put("/token", [{ timestamp: Date.now(), message: "two" }], { sequenceToken: "49590302" });
    expect(await messages("/token")).toEqual(["one", "two"]);
    expect(await refusal(put("/missing", [{ timestamp: Date.now(), message: "x" }]))).toEqual({
      name: "ResourceNotFoundException",
      message: "The specified log group does not exist.",
    });
    const noStream = logs.send(
      new PutLogEventsCommand({
        logGroupName: "/token",
        logStreamName: "nope",
        logEvents: [{ timestamp: 1, message: "x" }],
      }),
    );
    expect(await refusal(noStream)).toEqual({
      name: "ResourceNotFoundException",
      message: "The specified log stream does not exist.",
    });
  });

  it("sets and deletes retention with the allowed values, shows it, and rejects events before it as expired", async () => {
    await stream("/kept");
    await logs.send(new PutRetentionPolicyCommand({ logGroupName: "/kept", retentionInDays: 1 }));
    const described = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: "/kept" }));
    expect(described.logGroups?.[0]?.retentionInDays).toBe(1);
    const now = Date.now();
    const out = await put("/kept", [
      { timestamp: now - 2 * DAY, message: "expired" },
      { timestamp: now, message: "fresh" },
    ]);
    expect(out.rejectedLogEventsInfo).toEqual({ expiredLogEventEndIndex: 1 });
    const bad = await refusal(
      logs.send(new PutRetentionPolicyCommand({ logGroupName: "/kept", retentionInDays: 2 })),
    );
    expect(bad.name).toBe("InvalidParameterException");
    expect(bad.message).toMatch(/retentionInDays.*enum value set: \[1, 3, 5, 7, 14, 30/);
    await logs.send(new DeleteRetentionPolicyCommand({ logGroupName: "/kept" }));
    const after = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: "/kept" }));
    expect(after.logGroups?.[0]?.retentionInDays).toBeUndefined();
  });

  it("exposes what it was handed and what became of it", async () => {
    await stream("/count");
    plugin.write("/count", "task/1", [{ timestamp: Date.now(), message: "from a container" }]);
    plugin.write("/gone", "task/1", [{ timestamp: Date.now(), message: "no group" }]);
    const served = (await fetch(`${region.endpoint}${INGESTION_ROUTE}`).then((r) => r.json())) as ReturnType<
      LogsPlugin["ingestion"]
    >;
    expect(served.dropped["group-missing"]).toBe(1);
    expect(served.received).toBe(
      served.stored +
        served.buffered +
        (Object.values(served.dropped) as number[]).reduce((a, b) => a + b, 0),
    );
    expect(plugin.tail("/count", "task/1", 1)).toEqual(["from a container"]);
  });
});

describe("events on disk", () => {
  it("survive a restart", async () => {
    const dir = mkdtempSync(join(tmpdir(), "logs-ingestion-"));
    try {
      const first = await startTestRegion([new LogsPlugin()], dir);
      const firstLogs = first.client(CloudWatchLogsClient);
      await firstLogs.send(new CreateLogGroupCommand({ logGroupName: "/restart" }));
      await firstLogs.send(new CreateLogStreamCommand({ logGroupName: "/restart", logStreamName: "s" }));
      const now = Date.now();
      await firstLogs.send(
        new PutLogEventsCommand({
          logGroupName: "/restart",
          logStreamName: "s",
          logEvents: [
            { timestamp: now - 1, message: "before" },
            { timestamp: now, message: "restart" },
          ],
        }),
      );
      await first.cleanup();
      const restarted = new LogsPlugin();
      const second = await startTestRegion([restarted], dir);
      try {
        const out = await second
          .client(CloudWatchLogsClient)
          .send(new GetLogEventsCommand({ logGroupName: "/restart", logStreamName: "s" }));
        expect(out.events?.map((e) => e.message)).toEqual(["before", "restart"]);
      } finally {
        await second.cleanup();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
