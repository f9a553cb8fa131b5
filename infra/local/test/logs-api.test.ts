import { describe, expect, it } from "vitest";
import { AwsError, type RequestContext } from "../src/contracts.js";
import { matches, parseFilterPattern } from "../src/services/logs/filter-pattern.js";
import { LogsModel, type LogsState } from "../src/services/logs/model.js";
import { logsOperations } from "../src/services/logs/responses.js";
import { memoryDurable } from "./ecs-fixtures.js";

// CloudWatch Logs operations as the wire calls them (decoded input in, output object out).

const ctx: RequestContext = { accountId: "000000000000", region: "eu-west-1", requestId: "r" };

function logs() {
  const clock = { now: 1_700_000_000_000 };
  const durable = memoryDurable<LogsState>({ groups: {} });
  const model = new LogsModel(durable.state, () => clock.now);
  const ops = logsOperations(model, durable);
  const call = async (op: string, input: Record<string, unknown>) =>
    // biome-ignore lint/suspicious/noExplicitAny: the tests read the operations' JSON output freely
    (await ops[op]?.(input, ctx)) as Record<string, any>;
  return { call, durable, clock };
}

async function awsError(promise: Promise<unknown>): Promise<AwsError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AwsError) return error;
    throw error;
  }
  throw new Error("expected an AwsError");
}

describe("CloudWatch Logs", () => {
  it("creates groups and streams, stores events and reads them back newest last", async () => {
    const { call, durable } = logs();
    await call("CreateLogGroup", { logGroupName: "/ecs/api-qa" });
    await call("PutRetentionPolicy", { logGroupName: "/ecs/api-qa", retentionInDays: 30 });
    await call("CreateLogStream", { logGroupName: "/ecs/api-qa", logStreamName: "ecs/api/abc" });
    const events = Array.from({ length: 5 }, (_, i) => ({
      timestamp: 1_700_000_000_000 + i,
      message: `line ${i}`,
    }));
    await call("PutLogEvents", {
      logGroupName: "/ecs/api-qa",
      logStreamName: "ecs/api/abc",
      logEvents: events,
    });
    expect(durable.commits).toBe(4);

    const groups = await call("DescribeLogGroups", { logGroupNamePrefix: "/ecs/" });
    expect(groups.logGroups).toMatchObject([
      {
        logGroupName: "/ecs/api-qa",
        retentionInDays: 30,
        arn: "arn:aws:logs:eu-west-1:000000000000:log-group:/ecs/api-qa:*",
      },
    ]);
    const streams = await call("DescribeLogStreams", { logGroupName: "/ecs/api-qa" });
    expect(streams.logStreams[0]).toMatchObject({
      logStreamName: "ecs/api/abc",
      lastEventTimestamp: 1_700_000_000_004,
    });

    const tail = await call("GetLogEvents", {
      logGroupName: "/ecs/api-qa",
      logStreamName: "ecs/api/abc",
      limit: 2,
    });
    expect(tail.events.map((e: { message: string }) => e.message)).toEqual(["line 3", "line 4"]);
    const head = await call("GetLogEvents", {
      logGroupName: "/ecs/api-qa",
      logStreamName: "ecs/api/abc",
      limit: 2,
      startFromHead: true,
    });
    expect(head.events.map((e: { message: string }) => e.message)).toEqual(["line 0", "line 1"]);
    const next = await call("GetLogEvents", {
      logGroupName: "/ecs/api-qa",
      logStreamName: "ecs/api/abc",
      limit: 2,
      nextToken: head.nextForwardToken,
    });
    expect(next.events.map((e: { message: string }) => e.message)).toEqual(["line 2", "line 3"]);
  });

  it("filters events across streams with CloudWatch's term and phrase patterns", async () => {
    const { call } = logs();
    await call("CreateLogGroup", { logGroupName: "g" });
    const lines = [
      ["a-1", "ERROR job 1 failed"],
      ["b-1", "INFO job 2 done"],
      ["b-2", "ERROR disk full"],
    ] as const;
    for (const [stream, message] of lines) {
      await call("CreateLogStream", { logGroupName: "g", logStreamName: stream });
      await call("PutLogEvents", {
        logGroupName: "g",
        logStreamName: stream,
        logEvents: [{ timestamp: 1_700_000_000_000, message }],
      });
    }
    const out = await call("FilterLogEvents", { logGroupName: "g", filterPattern: "ERROR" });
    expect(out.events.map((e: { message: string }) => e.message).sort()).toEqual([
      "ERROR disk full",
      "ERROR job 1 failed",
    ]);
    const prefixed = await call("FilterLogEvents", {
      logGroupName: "g",
      logStreamNamePrefix: "b",
      filterPattern: '"job 2"',
    });
    expect(prefixed.events.map((e: { message: string }) => e.message)).toEqual(["INFO job 2 done"]);
    expect(matches(parseFilterPattern("ERROR failed", "filterLogEvents"), "ERROR job failed")).toBe(true);
    expect(matches(parseFilterPattern("ERROR failed", "filterLogEvents"), "ERROR job")).toBe(false);
    expect(matches(parseFilterPattern("?ERROR ?WARN", "filterLogEvents"), "WARN x")).toBe(true);
  });

  it("answers mistakes with CloudWatch Logs' error codes", async () => {
    const { call } = logs();
    expect((await awsError(call("DescribeLogStreams", { logGroupName: "nope" }))).code).toBe(
      "ResourceNotFoundException",
    );
    await call("CreateLogGroup", { logGroupName: "g" });
    expect((await awsError(call("CreateLogGroup", { logGroupName: "g" }))).code).toBe(
      "ResourceAlreadyExistsException",
    );
    expect((await awsError(call("CreateLogGroup", { logGroupName: "bad name!" }))).code).toBe(
      "InvalidParameterException",
    );
    expect((await awsError(call("PutRetentionPolicy", { logGroupName: "g", retentionInDays: 2 }))).code).toBe(
      "InvalidParameterException",
    );
    await call("CreateLogStream", { logGroupName: "g", logStreamName: "s" });
    const unordered = call("PutLogEvents", {
      logGroupName: "g",
      logStreamName: "s",
      logEvents: [
        { timestamp: 2, message: "b" },
        { timestamp: 1, message: "a" },
      ],
    });
    expect((await awsError(unordered)).message).toMatch(/chronological order/);
  });
});
