import { type ChildProcess, execFile, spawn } from "node:child_process";
import { promisify } from "node:util";
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LogsPlugin } from "../src/services/logs/plugin.js";
import {
  AWS_CLI,
  awsCli,
  exited,
  killByPid,
  startTestRegion,
  type TestRegion,
  waitForOutput,
} from "../src/testing/index.js";

// `aws logs tail` and `aws logs filter-log-events` of Debian's AWS CLI (by path) against a region.
// tail pages FilterLogEvents (interleaved, startTime from --since, filterPattern); --follow polls
// it every 5 s from the newest timestamp seen, skipping the eventIds it has printed.

const MINUTE = 60_000;
const GROUP = "/tail/app";

let region: TestRegion;
let logs: CloudWatchLogsClient;
const children: ChildProcess[] = [];

beforeAll(async () => {
  region = await startTestRegion([new LogsPlugin({ log: () => {} })]);
  logs = region.client(CloudWatchLogsClient);
  await logs.send(new CreateLogGroupCommand({ logGroupName: GROUP }));
  for (const logStreamName of ["web/1", "web/2"]) {
    await logs.send(new CreateLogStreamCommand({ logGroupName: GROUP, logStreamName }));
  }
  const now = Date.now();
  await put("web/1", [
    { timestamp: now - 30 * MINUTE, message: "an hour-old start" },
    { timestamp: now - 2 * MINUTE, message: '{"level":"error","msg":"disk full"}' },
  ]);
  await put("web/2", [{ timestamp: now - MINUTE, message: '{"level":"info","msg":"ok"}' }]);
});
afterAll(async () => {
  for (const child of children) killByPid(child, "SIGKILL");
  await region?.cleanup();
});

function put(logStreamName: string, logEvents: { timestamp: number; message: string }[]) {
  return logs.send(new PutLogEventsCommand({ logGroupName: GROUP, logStreamName, logEvents }));
}

const cliEnv = () => ({ PATH: process.env.PATH, HOME: process.env.HOME, ...region.awsEnv() });
const cliArgs = (args: string[]) => ["--endpoint-url", region.endpoint, "--color", "off", ...args];

/** The CLI's text output: tail prints lines, not JSON. */
async function tail(...args: string[]): Promise<string[]> {
  const { stdout } = await promisify(execFile)(AWS_CLI, cliArgs(["logs", "tail", GROUP, ...args]), {
    env: cliEnv(),
    timeout: 30_000,
  });
  return stdout.split("\n").filter(Boolean);
}

describe("aws logs tail", () => {
  it("prints the last 10 minutes by default, every stream interleaved, in the detailed format", {
    timeout: 30_000,
  }, async () => {
    const lines = await tail();
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00 web\/1 \{"level":"error","msg":"disk full"\}$/,
    );
    expect(lines[1]).toMatch(/ web\/2 \{"level":"info","msg":"ok"\}$/);
  });

  it("reads further back with --since and keeps what --filter-pattern matches", {
    timeout: 30_000,
  }, async () => {
    expect((await tail("--since", "1h")).map((l) => l.split(" ").slice(2).join(" "))).toEqual([
      "an hour-old start",
      '{"level":"error","msg":"disk full"}',
      '{"level":"info","msg":"ok"}',
    ]);
    const errors = await tail("--since", "1h", "--filter-pattern", '{ $.level = "error" }');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain("disk full");
  });

  it("prints the short and json formats", { timeout: 30_000 }, async () => {
    const short = await tail("--format", "short");
    expect(short[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d \{"level":"error","msg":"disk full"\}$/);
    const pretty = await tail("--format", "json", "--filter-pattern", "disk");
    expect(pretty.slice(1)).toEqual(["{", '    "level": "error",', '    "msg": "disk full"', "}"]);
    expect(pretty[0]).toMatch(/ web\/1 $/);
  });

  it("follows: prints events appended while it runs, once each, until stopped", {
    timeout: 60_000,
  }, async () => {
    const child = spawn(AWS_CLI, cliArgs(["logs", "tail", GROUP, "--follow", "--format", "short"]), {
      // Python buffers a pipe's output until exit: the test reads it as it comes.
      env: { ...cliEnv(), PYTHONUNBUFFERED: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    children.push(child);
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    await waitForOutput(child, () => output, /"msg":"ok"/, 20_000);
    await put("web/2", [{ timestamp: Date.now(), message: "appended while following" }]);
    await put("web/1", [{ timestamp: Date.now(), message: "and another" }]);
    await waitForOutput(child, () => output, /and another/, 20_000);
    killByPid(child, "SIGTERM");
    expect(await exited(child, 5000)).toBe(true);
    const lines = output.split("\n").filter(Boolean);
    expect(lines.filter((l) => l.endsWith("appended while following"))).toHaveLength(1);
    expect(lines.filter((l) => l.includes("disk full"))).toHaveLength(1);
  });
});

describe("aws logs filter-log-events", () => {
  it("filters by pattern, stream prefix and time, and pages with --page-size", {
    timeout: 30_000,
  }, async () => {
    const target = { endpoint: region.endpoint, env: region.awsEnv() };
    const since = String(Date.now() - 5 * MINUTE);
    // biome-ignore lint/suspicious/noExplicitAny: the CLI's JSON output is read freely
    const found = await awsCli<Record<string, any>>(
      target,
      "logs",
      "filter-log-events",
      "--log-group-name",
      GROUP,
      "--start-time",
      since,
      "--log-stream-name-prefix",
      "web/",
      "--filter-pattern",
      "level",
      "--page-size",
      "1",
    );
    expect(found.events.map((e: { message: string }) => e.message)).toEqual([
      '{"level":"error","msg":"disk full"}',
      '{"level":"info","msg":"ok"}',
    ]);
    expect(found.events[0].eventId).toBe("web/1/1");
  });
});
