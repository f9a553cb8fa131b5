import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
  PutMetricFilterCommand,
  TestMetricFilterCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import {
  ConfirmSubscriptionCommand,
  CreateTopicCommand,
  ListSubscriptionsByTopicCommand,
  PublishCommand,
  SNSClient,
  SubscribeCommand,
} from "@aws-sdk/client-sns";
import { alarmDefinitions, alarmTopicNames, loadSpec, metricFilters, notifierLogLines } from "@platform/env";
import { LogsPlugin } from "@platform/local-region";
import { startTestRegion, type TestRegion, waitFor } from "@platform/local-region/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { notifierConfig } from "../src/config.js";
import { type HttpSubscriber, startHttpSubscriber } from "../src/http-subscriber.js";
import { ERROR_LOGS_ALARM } from "./fixtures.js";

// The notifier against the local region, as npm start runs it: subscribed over HTTP to the alarm
// topic, it reads the log lines through the region's CloudWatch Logs and publishes to the e-mail
// topic, whose e-mail subscriber's mail lands in the outbox.

let region: TestRegion;
let logs: CloudWatchLogsClient;
let sns: SNSClient;
let subscriber: HttpSubscriber;
const GROUP = "/platform/qa/api";

beforeAll(async () => {
  region = await startTestRegion([new LogsPlugin()]);
  logs = region.client(CloudWatchLogsClient);
  sns = region.client(SNSClient);
});
afterAll(async () => {
  await subscriber?.close();
  await region?.cleanup();
});

function outbox(): string[] {
  const dir = join(region.stateDir, "outbox");
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(".eml"))
    .map((f) => readFileSync(join(dir, f), "utf8"));
}

async function writeLogLines(now: number): Promise<void> {
  await logs.send(new CreateLogGroupCommand({ logGroupName: GROUP }));
  await logs.send(new CreateLogStreamCommand({ logGroupName: GROUP, logStreamName: "api/api/task-1" }));
  const line = (ago: number, level: string, message: string) => ({
    timestamp: now - ago,
    message: JSON.stringify({
      time: new Date(now - ago).toISOString(),
      level,
      message,
      service: "api",
      env: "qa",
    }),
  });
  await logs.send(
    new PutLogEventsCommand({
      logGroupName: GROUP,
      logStreamName: "api/api/task-1",
      logEvents: [
        line(50_000, "error", "database unreachable"),
        line(40_000, "info", "still here"),
        line(30_000, "error", "job store failed"),
      ],
    }),
  );
  const filter = metricFilters("qa").find((f) => f.filterName === "api-qa-errors")!;
  await logs.send(
    new PutMetricFilterCommand({
      logGroupName: filter.logGroupName,
      filterName: filter.filterName,
      filterPattern: filter.filterPattern,
      metricTransformations: [
        {
          metricName: filter.metricName,
          metricNamespace: filter.metricNamespace,
          metricValue: filter.metricValue,
          defaultValue: filter.defaultValue,
        },
      ],
    }),
  );
}

async function emailTopicWithRecipient(name: string): Promise<string> {
  const arn = (await sns.send(new CreateTopicCommand({ Name: name }))).TopicArn!;
  await sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: "email", Endpoint: "team@example.com" }));
  const mail = await waitFor("the confirmation e-mail", () => outbox().find((m) => m.includes(arn)), 10_000);
  const token = new URL(/(http:\/\/\S+)/.exec(mail)![1]!).searchParams.get("Token")!;
  await sns.send(new ConfirmSubscriptionCommand({ TopicArn: arn, Token: token }));
  return arn;
}

describe("the notifier on the local region", () => {
  it("e-mails an alarm with its log lines, from an SNS HTTP delivery to the outbox", async () => {
    const now = Date.now();
    await writeLogLines(now);
    const topics = alarmTopicNames("qa");
    const emailTopicArn = await emailTopicWithRecipient(topics.emails);
    const alarmTopicArn = (await sns.send(new CreateTopicCommand({ Name: topics.alarms }))).TopicArn!;
    subscriber = await startHttpSubscriber({
      config: notifierConfig.parse({
        environment: "qa",
        emailTopicArn,
        logLines: {},
        logGroupNames: ["/platform/qa/media-server", GROUP],
      }),
      clients: { logs, sns },
      confirmOrigins: [new URL(region.endpoint).origin],
    });
    await sns.send(
      new SubscribeCommand({ TopicArn: alarmTopicArn, Protocol: "http", Endpoint: subscriber.url }),
    );
    await waitFor("the subscriber to confirm", async () => {
      const { Subscriptions } = await sns.send(
        new ListSubscriptionsByTopicCommand({ TopicArn: alarmTopicArn }),
      );
      return Subscriptions?.[0]?.SubscriptionArn?.startsWith("arn:") ? true : undefined;
    });

    const changedAt = new Date(now).toISOString().replace("Z", "+0000");
    const alarm = {
      ...ERROR_LOGS_ALARM,
      StateChangeTime: changedAt,
      AlarmArn: "arn:aws:cloudwatch:us-east-1:000000000000:alarm:api-qa-error-logs",
      Region: "US East (N. Virginia)",
    };
    await sns.send(
      new PublishCommand({
        TopicArn: alarmTopicArn,
        Subject: 'ALARM: "api-qa-error-logs" in US East (N. Virginia)',
        Message: JSON.stringify(alarm),
      }),
    );

    const mail = await waitFor(
      "the alarm e-mail",
      () => outbox().find((m) => m.includes("Subject: [qa] ALARM: api-qa-error-logs")),
      15_000,
    );
    expect(mail).toContain("To: team@example.com\r\n");
    expect(mail).toContain("api-qa-error-logs is ALARM in qa (was OK).\r\n");
    expect(mail).toContain(`The last 2 log line(s) matching { $.level = "error" } in ${GROUP}`);
    expect(mail).toContain('"message":"database unreachable"');
    expect(mail).toContain('"message":"job store failed"');
    expect(mail).not.toContain("still here");
    expect(mail).toContain(
      "#logsV2:log-groups/log-group/$252Fplatform$252Fqa$252Fapi/log-events$3FfilterPattern$3D",
    );

    const quiet = {
      ...alarm,
      NewStateValue: "OK",
      OldStateValue: "ALARM",
      NewStateReason:
        "Threshold Crossed: 1 out of the last 1 datapoints [0.0 (02/12/26 04:25:00)] was not greater than or equal to the threshold (20.0) (minimum 1 datapoint for ALARM -> OK transition).",
    };
    await sns.send(new PublishCommand({ TopicArn: alarmTopicArn, Message: JSON.stringify(quiet) }));
    const ok = await waitFor("the OK e-mail", () =>
      outbox().find((m) => m.includes("Subject: [qa] OK: api-qa-error-logs")),
    );
    expect(ok).toContain("State:       ALARM -> OK\r\n");
  });
});

describe("the patterns of the alarm definitions", () => {
  // Lines as the services write them (one JSON object a line), and which alarm's pattern each must meet.
  const base = {
    time: "2026-12-02T04:19:00.000Z",
    service: "api",
    env: "qa",
    version: "1.0.0",
    taskId: "t1",
  };
  const lines = {
    error: { ...base, level: "error", message: "database unreachable" },
    serverError: {
      ...base,
      level: "warn",
      message: "request",
      status: 503,
      durationMs: 12,
      method: "GET",
      path: "/api/v1/jobs",
    },
    slow: {
      ...base,
      level: "http",
      message: "request",
      status: 200,
      durationMs: 2500,
      method: "GET",
      path: "/api/v1/jobs",
    },
    unhealthy: {
      ...base,
      level: "http",
      message: "request",
      status: 503,
      durationMs: 3,
      method: "GET",
      path: "/healthz",
    },
    jobFailed: { ...base, level: "warn", message: "job failed", event: "JobFailed", jobId: "j1" },
    pipelineFailed: {
      ...base,
      service: "media-server",
      level: "error",
      message: "pipeline failed",
      event: "PipelineFailed",
    },
    quiet: {
      ...base,
      level: "http",
      message: "request",
      status: 200,
      durationMs: 5,
      method: "GET",
      path: "/healthz",
    },
  };
  const spec = loadSpec();
  const values = {
    loadBalancer: "lb",
    clusterName: "c",
    targetGroups: { api: "a", "media-server": "m" },
    serviceNames: { api: "a", "media-server": "m" },
  };
  const hints = notifierLogLines(alarmDefinitions(spec, "qa", values));
  const expectations: [string, (keyof typeof lines)[]][] = [
    [hints["api-qa-5xx"]!.filterPattern, ["serverError", "unhealthy"]],
    [hints["api-qa-latency-p95"]!.filterPattern, ["slow"]],
    [hints["api-qa-unhealthy-hosts"]!.filterPattern, ["error", "unhealthy", "pipelineFailed"]],
    [hints["api-qa-cpu"]!.filterPattern, ["error", "serverError", "jobFailed", "pipelineFailed"]],
    ...metricFilters("qa").map((f): [string, (keyof typeof lines)[]] => [
      f.filterPattern,
      f.metricName === "ErrorLogLines"
        ? ["error", "pipelineFailed"]
        : f.metricName === "JobFailures"
          ? ["jobFailed"]
          : ["pipelineFailed"],
    ]),
  ];

  it.each(expectations)(
    "%s matches exactly the lines it is meant for, as CloudWatch Logs reads it",
    async (pattern, meant) => {
      const names = Object.keys(lines) as (keyof typeof lines)[];
      const { matches } = await logs.send(
        new TestMetricFilterCommand({
          filterPattern: pattern,
          logEventMessages: names.map((n) => JSON.stringify(lines[n])),
        }),
      );
      expect((matches ?? []).map((m) => names[(m.eventNumber ?? 0) - 1])).toEqual(
        names.filter((n) => meant.includes(n)),
      );
    },
  );
});
