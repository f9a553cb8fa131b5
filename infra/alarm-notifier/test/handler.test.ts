import {
  CloudWatchLogsClient,
  DescribeMetricFiltersCommand,
  FilterLogEventsCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CONFIG_VARIABLE, notifierConfig } from "../src/config.js";
import { evaluationWindow, type Notified, notify } from "../src/handler.js";
import { handler } from "../src/lambda.js";
import { parseAlarmMessage } from "../src/message.js";
import { ERROR_LOGS_ALARM, LATENCY_OK } from "./fixtures.js";

// The handler's calls, against mocked SDK clients: which log lines it asks for, what it publishes, and
// that a log it can't read still makes an e-mail.

const logs = mockClient(CloudWatchLogsClient);
const sns = mockClient(SNSClient);
const TOPIC = "arn:aws:sns:eu-west-1:123456789012:platform-alarm-emails-qa";
const config = notifierConfig.parse({
  environment: "qa",
  emailTopicArn: TOPIC,
  maxLines: 3,
  logLines: {
    "api-prod-latency-p95": {
      logGroupName: "/platform/prod/api",
      filterPattern: '{ ($.message = "request") && ($.durationMs >= 1000) }',
    },
  },
});
const clients = () => ({ logs: new CloudWatchLogsClient({}), sns: new SNSClient({}) });
const alarm = parseAlarmMessage(JSON.stringify(ERROR_LOGS_ALARM));
const event = (n: number) => ({ timestamp: Date.parse("2026-12-02T04:19:00Z") + n, message: `line ${n}` });

/** notify() for a change that must be e-mailed. */
async function emailed(...args: Parameters<typeof notify>): Promise<Notified> {
  const result = await notify(...args);
  if ("skipped" in result) throw new Error(`expected an e-mail, got ${result.skipped}`);
  return result;
}

beforeEach(() => {
  logs.reset();
  sns.reset();
  sns.on(PublishCommand).resolves({ MessageId: "m-1" });
});
afterEach(() => {
  delete process.env[CONFIG_VARIABLE];
});

describe("the handler", () => {
  it("finds a log alarm's group and pattern through its metric filter and reads its evaluation window", async () => {
    logs.on(DescribeMetricFiltersCommand).resolves({
      metricFilters: [
        {
          filterName: "api-qa-errors",
          logGroupName: "/platform/qa/api",
          filterPattern: '{ $.level = "error" }',
        },
      ],
    });
    logs.on(FilterLogEventsCommand).resolves({ events: [event(1)] });
    const sent = await emailed(alarm, config, clients());

    expect(logs.commandCalls(DescribeMetricFiltersCommand)[0]?.args[0].input).toEqual({
      logGroupName: undefined,
      metricName: "ErrorLogLines",
      metricNamespace: "Platform/Logs/api-qa",
    });
    expect(logs.commandCalls(FilterLogEventsCommand)[0]?.args[0].input).toEqual({
      logGroupName: "/platform/qa/api",
      filterPattern: '{ $.level = "error" }',
      startTime: Date.parse("2026-12-02T04:18:05.123Z"),
      endTime: Date.parse("2026-12-02T04:20:05.123Z"),
      nextToken: undefined,
    });
    expect(sns.commandCalls(PublishCommand)[0]?.args[0].input).toEqual({
      TopicArn: TOPIC,
      Subject: sent.subject,
      Message: sent.body,
    });
    expect(sent.body).toContain("line 1");
    expect(sent.messageId).toBe("m-1");
  });

  it("uses the configured lines of an ALB alarm and keeps only the newest across pages", async () => {
    const ok = parseAlarmMessage(JSON.stringify(LATENCY_OK));
    logs
      .on(FilterLogEventsCommand)
      .resolvesOnce({ events: [event(1), event(2)], nextToken: "p2" })
      .resolvesOnce({ events: [event(3), event(4), event(5)] });
    const sent = await emailed(ok, config, clients());

    expect(logs.commandCalls(DescribeMetricFiltersCommand)).toHaveLength(0);
    const calls = logs.commandCalls(FilterLogEventsCommand).map((c) => c.args[0].input);
    expect(calls.map((c) => [c.logGroupName, c.nextToken])).toEqual([
      ["/platform/prod/api", undefined],
      ["/platform/prod/api", "p2"],
    ]);
    expect(calls[0]?.startTime).toBe(Date.parse("2026-12-02T04:26:00Z"));
    expect(sent.body).toMatch(/line 3\n.*line 4\n.*line 5\n/);
    expect(sent.body).not.toContain("line 2");
  });

  it("still e-mails when the logs can't be read, and says why", async () => {
    logs
      .on(DescribeMetricFiltersCommand)
      .rejects(Object.assign(new Error("not allowed"), { name: "AccessDeniedException" }));
    const sent = await emailed(alarm, config, clients());
    expect(sent.body).toContain("could not be read: AccessDeniedException: not allowed");
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
  });

  it("looks for the metric filter in each of the environment's log groups, so its role can be scoped to them", async () => {
    logs
      .on(DescribeMetricFiltersCommand)
      .rejects(Object.assign(new Error("gone"), { name: "ResourceNotFoundException" }));
    logs.on(DescribeMetricFiltersCommand, { logGroupName: "/platform/qa/media-server" }).resolves({
      metricFilters: [{ logGroupName: "/platform/qa/media-server", filterPattern: "{ $.x = 1 }" }],
    });
    logs.on(FilterLogEventsCommand).resolves({ events: [] });
    const groups = { ...config, logGroupNames: ["/platform/qa/api", "/platform/qa/media-server"] };
    const sent = await emailed(alarm, groups, clients());
    expect(logs.commandCalls(DescribeMetricFiltersCommand).map((c) => c.args[0].input.logGroupName)).toEqual(
      groups.logGroupNames,
    );
    expect(sent.body).toContain("No log lines matching { $.x = 1 } in /platform/qa/media-server");
  });

  it("says the alarm has no log behind it when no metric filter publishes its metric", async () => {
    logs.on(DescribeMetricFiltersCommand).resolves({ metricFilters: [] });
    const sent = await emailed(alarm, config, clients());
    expect(logs.commandCalls(FilterLogEventsCommand)).toHaveLength(0);
    expect(sent.body).toContain("has no log lines behind it");
  });

  it("sends nothing when a new alarm first finds its data quiet (INSUFFICIENT_DATA -> OK)", async () => {
    const first = { ...alarm, NewStateValue: "OK" as const, OldStateValue: "INSUFFICIENT_DATA" as const };
    expect(await notify(first, config, clients())).toEqual({
      skipped: "api-qa-error-logs: INSUFFICIENT_DATA -> OK is no news",
    });
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
    expect(logs.calls()).toHaveLength(0);
  });

  it("reads one period more than the evaluation periods, ending at the state change", () => {
    expect(evaluationWindow(alarm)).toEqual({
      start: Date.parse("2026-12-02T04:18:05.123Z"),
      end: Date.parse("2026-12-02T04:20:05.123Z"),
    });
  });
});

describe("the Lambda entry point", () => {
  const snsEvent = (message: string) => ({
    Records: [
      {
        EventSource: "aws:sns",
        EventVersion: "1.0",
        EventSubscriptionArn: "arn:aws:sns:eu-west-1:123456789012:platform-alarms-qa:abc",
        Sns: {
          Type: "Notification",
          MessageId: "95df01b4-ee98-5cb9-9903-4c221d41eb5e",
          TopicArn: "arn:aws:sns:eu-west-1:123456789012:platform-alarms-qa",
          Subject: 'ALARM: "api-qa-error-logs" in EU (Ireland)',
          Message: message,
          Timestamp: "2026-12-02T04:20:05.200Z",
        },
      },
    ],
  });

  it("turns each SNS record into one e-mail, with its configuration from the environment", async () => {
    process.env[CONFIG_VARIABLE] = JSON.stringify({ environment: "qa", emailTopicArn: TOPIC, logLines: {} });
    logs.on(DescribeMetricFiltersCommand).resolves({ metricFilters: [] });
    const result = await handler(snsEvent(JSON.stringify(ERROR_LOGS_ALARM)));
    expect(result.sent).toMatchObject([
      { subject: "[qa] ALARM: api-qa-error-logs (25.0 >= 20)", messageId: "m-1" },
    ]);
  });

  it("fails on what isn't an SNS event, an alarm message, or a configuration", async () => {
    process.env[CONFIG_VARIABLE] = JSON.stringify({ environment: "qa", emailTopicArn: TOPIC, logLines: {} });
    await expect(handler({ Records: [] })).rejects.toThrow(/not an SNS event/);
    await expect(handler(snsEvent('{"AlarmName":"x"}'))).rejects.toThrow(
      /not a CloudWatch alarm notification/,
    );
    process.env[CONFIG_VARIABLE] = JSON.stringify({ environment: "qa", emailTopicArn: "nope", logLines: {} });
    await expect(handler(snsEvent(JSON.stringify(ERROR_LOGS_ALARM)))).rejects.toThrow(/emailTopicArn/);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
  });
});
