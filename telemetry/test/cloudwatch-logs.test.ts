import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  GetLogEventsCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { LogsPlugin } from "@platform/local-region";
import { freePort, startTestRegion, type TestRegion } from "@platform/local-region/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accessLog } from "../src/access-log.js";
import { CloudWatchLogsTransport } from "../src/cloudwatch-logs-transport.js";
import { createLogger, flushLogs, type Logger, streamNameOf } from "../src/logger.js";
import { captureLines } from "../src/testing.js";

// The transport for real: PutLogEvents to a local region; then to a region that is down (a closed
// port) and one that accepts connections and never answers. The app must keep serving throughout.

const identity = { service: "api", env: "qa", version: "1.4.0", taskId: "0f1e2d3c" } as const;
const credentials = { accessKeyId: "test", secretAccessKey: "test" };

function transportOf(log: Logger): CloudWatchLogsTransport {
  return log.transports.find((t) => t instanceof CloudWatchLogsTransport)!;
}

describe("CloudWatch Logs transport, local region", () => {
  let region: TestRegion;
  beforeAll(async () => {
    region = await startTestRegion([new LogsPlugin()]);
  });
  afterAll(() => region.cleanup());

  it("writes the lines to a stream named after the task, in order, exactly as on stdout", async () => {
    const logs = region.client(CloudWatchLogsClient);
    await logs.send(new CreateLogGroupCommand({ logGroupName: "/platform/qa/api" }));
    const { stream, lines } = captureLines();
    const log = createLogger({
      ...identity,
      stream,
      cloudwatchLogGroup: "/platform/qa/api",
      cloudwatch: { client: logs, flushIntervalMs: 200 },
    });
    for (let i = 0; i < 50; i++) log.info("line", { i });
    log.error("boom", { jobId: "j-1" });
    await expect.poll(() => transportOf(log).pending, { timeout: 5000 }).toBe(0);
    await flushLogs(log, 2000);

    const got = await logs.send(
      new GetLogEventsCommand({
        logGroupName: "/platform/qa/api",
        logStreamName: streamNameOf(identity),
        startFromHead: true,
      }),
    );
    expect(streamNameOf(identity)).toBe("api/0f1e2d3c");
    const sent = (got.events ?? []).map((e) => JSON.parse(e.message!));
    expect(sent).toEqual(lines);
    expect(sent.map((l) => l.i).slice(0, 50)).toEqual([...Array(50).keys()]);
    expect(sent.at(-1)).toMatchObject({ level: "error", message: "boom", jobId: "j-1", taskId: "0f1e2d3c" });
  });
});

describe("CloudWatch Logs transport, region unavailable", () => {
  let hanging: Server;
  let hangingUrl: string;
  beforeAll(async () => {
    // Accepts every request and never answers: a CloudWatch that is slow beyond any deadline.
    hanging = createServer(() => {});
    await new Promise<void>((resolve) => hanging.listen(0, "127.0.0.1", resolve));
    hangingUrl = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    hanging.closeAllConnections();
    await new Promise((resolve) => hanging.close(resolve));
  });

  const client = (endpoint: string) =>
    new CloudWatchLogsClient({ endpoint, region: "us-east-1", credentials, maxAttempts: 1 });

  async function serveWhileLogging(log: Logger): Promise<number[]> {
    const access = accessLog(log);
    const server = createServer((req, res) =>
      access(req, res, () => {
        for (let i = 0; i < 5; i++) log.info("work", { i });
        res.end("ok");
      }),
    );
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const timings: number[] = [];
    for (let i = 0; i < 10; i++) {
      const started = performance.now();
      expect((await fetch(url)).status).toBe(200);
      timings.push(performance.now() - started);
    }
    await new Promise((resolve) => server.close(resolve));
    return timings;
  }

  const dropReports = (lines: Record<string, unknown>[]) =>
    lines.filter((l) => typeof l.droppedLogLines === "number").map((l) => l.droppedLogLines as number);

  it("holds a shutdown up no longer than its deadline, and counts the lines still in flight", async () => {
    const { stream, lines } = captureLines();
    const log = createLogger({
      ...identity,
      stream,
      cloudwatchLogGroup: "/platform/qa/api",
      cloudwatch: { client: client(hangingUrl), flushIntervalMs: 60_000, requestTimeoutMs: 30_000 },
    });
    for (let i = 0; i < 5; i++) log.info("line", { i });
    await expect.poll(() => transportOf(log).pending).toBe(5);
    const started = performance.now();
    await flushLogs(log, 300);
    expect(performance.now() - started).toBeLessThan(1000);
    await expect.poll(() => dropReports(lines)).toEqual([5]);
    expect(lines.at(-1)?.message).toBe("dropped 5 log lines: in flight at shutdown (may have arrived) (5)");
  });

  it.each([
    ["down (closed port)", async () => `http://127.0.0.1:${await freePort()}`],
    ["slow (never answers)", async () => hangingUrl],
  ])("keeps serving when CloudWatch is %s, and counts every line it drops", async (_what, endpointOf) => {
    const { stream, lines } = captureLines();
    const log = createLogger({
      ...identity,
      stream,
      cloudwatchLogGroup: "/platform/qa/api",
      cloudwatch: {
        client: client(await endpointOf()),
        flushIntervalMs: 50,
        requestTimeoutMs: 3000,
        maxBufferedEvents: 8,
        reportEveryMs: 0,
      },
    });
    const timings = await serveWhileLogging(log);
    // Sending never waits on CloudWatch: each request is answered well within its 3 s timeout.
    expect(Math.max(...timings)).toBeLessThan(1500);
    await flushLogs(log, 1000);
    await expect.poll(() => lines.filter((l) => l.message === "request").length).toBe(10);
    const written = lines.length;
    const dropped = dropReports(lines).reduce((a, b) => a + b, 0);
    // The last report is the one line still in the transport when it was closed.
    expect(dropped).toBe(written - 1);
    expect(lines.find((l) => typeof l.droppedLogLines === "number")?.message).toMatch(
      /^dropped \d+ log lines: (buffer full|PutLogEvents failed)/,
    );
    expect(lines.filter((l) => l.message === "work")).toHaveLength(50);
  });
});
