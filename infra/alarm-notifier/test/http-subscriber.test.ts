import { createServer, type Server } from "node:http";
import { CloudWatchLogsClient, DescribeMetricFiltersCommand } from "@aws-sdk/client-cloudwatch-logs";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { notifierConfig } from "../src/config.js";
import { type HttpSubscriber, startHttpSubscriber } from "../src/http-subscriber.js";
import { ERROR_LOGS_ALARM } from "./fixtures.js";

// The HTTP(S) subscriber's answers to what SNS sends and to what it doesn't, with mocked clients and a
// stand-in for the SubscribeURL.

const logs = mockClient(CloudWatchLogsClient);
const sns = mockClient(SNSClient);
let subscriber: HttpSubscriber;
let confirmer: Server;
let confirmerOrigin: string;
const visits: string[] = [];

beforeAll(async () => {
  confirmer = createServer((req, res) => {
    visits.push(req.url ?? "");
    res.writeHead(req.url?.includes("fail") ? 500 : 200).end("<ConfirmSubscriptionResponse/>");
  });
  await new Promise<void>((resolve) => confirmer.listen(0, "127.0.0.1", resolve));
  const address = confirmer.address();
  confirmerOrigin = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  subscriber = await startHttpSubscriber({
    config: notifierConfig.parse({
      environment: "qa",
      emailTopicArn: "arn:aws:sns:eu-west-1:123456789012:platform-alarm-emails-qa",
      logLines: {},
    }),
    clients: {
      logs: new CloudWatchLogsClient({ region: "eu-west-1" }),
      sns: new SNSClient({ region: "eu-west-1" }),
    },
    confirmOrigins: [confirmerOrigin],
    maxBodyBytes: 64 * 1024,
  });
});
afterAll(async () => {
  await subscriber?.close();
  await new Promise((resolve) => confirmer?.close(resolve));
});
beforeEach(() => {
  logs.reset();
  sns.reset();
  logs.on(DescribeMetricFiltersCommand).resolves({ metricFilters: [] });
  sns.on(PublishCommand).resolves({ MessageId: "m-1" });
});

const TOPIC = "arn:aws:sns:eu-west-1:123456789012:platform-alarms-qa";

async function post(body: unknown, headers: Record<string, string> = {}, method = "POST") {
  const response = await fetch(subscriber.url, {
    method,
    headers: { "content-type": "text/plain; charset=UTF-8", ...headers },
    body: method === "POST" ? (typeof body === "string" ? body : JSON.stringify(body)) : undefined,
  });
  return { status: response.status, text: await response.text() };
}

describe("the HTTP subscriber", () => {
  it("confirms a subscription by visiting its SubscribeURL", async () => {
    const answer = await post(
      {
        Type: "SubscriptionConfirmation",
        MessageId: "c-1",
        TopicArn: TOPIC,
        Token: "tok",
        Message: "You have chosen to subscribe...",
        SubscribeURL: `${confirmerOrigin}/?Action=ConfirmSubscription&TopicArn=${TOPIC}&Token=tok`,
      },
      { "x-amz-sns-message-type": "SubscriptionConfirmation" },
    );
    expect(answer.status).toBe(200);
    expect(visits.at(-1)).toContain("Token=tok");
  });

  it("refuses to visit a SubscribeURL elsewhere, and says so when the visit fails", async () => {
    const confirmation = (url: string) => ({
      Type: "SubscriptionConfirmation",
      MessageId: "c-2",
      TopicArn: TOPIC,
      Token: "t",
      SubscribeURL: url,
    });
    const before = visits.length;
    expect((await post(confirmation("http://169.254.169.254/latest/meta-data"))).status).toBe(403);
    expect(visits.length).toBe(before);
    expect((await post(confirmation(`${confirmerOrigin}/fail`))).status).toBe(502);
  });

  it("turns a notification into an e-mail on the e-mail topic", async () => {
    const answer = await post(
      {
        Type: "Notification",
        MessageId: "n-1",
        TopicArn: TOPIC,
        Subject: 'ALARM: "api-qa-error-logs" in EU (Ireland)',
        Message: JSON.stringify(ERROR_LOGS_ALARM),
        Timestamp: "2026-12-02T04:20:05.200Z",
      },
      { "x-amz-sns-message-type": "Notification" },
    );
    expect(answer).toEqual({ status: 200, text: "sent [qa] ALARM: api-qa-error-logs (25.0 >= 20)\n" });
    expect(sns.commandCalls(PublishCommand)[0]?.args[0].input.TopicArn).toBe(
      "arn:aws:sns:eu-west-1:123456789012:platform-alarm-emails-qa",
    );
  });

  it("answers 4xx to garbage and keeps serving", async () => {
    const notification = { Type: "Notification", MessageId: "n", TopicArn: TOPIC, Message: "{}" };
    expect((await post("not json")).status).toBe(400);
    expect((await post({ Type: "Gossip" })).status).toBe(400);
    expect((await post(notification)).status).toBe(400);
    expect(
      (
        await post(
          { ...notification, Message: "[]" },
          { "x-amz-sns-message-type": "SubscriptionConfirmation" },
        )
      ).status,
    ).toBe(400);
    expect((await post(undefined, {}, "GET")).status).toBe(405);
    expect((await post("x".repeat(70 * 1024))).status).toBe(413);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
    expect((await post({ ...notification, Message: JSON.stringify(ERROR_LOGS_ALARM) })).status).toBe(200);
  });

  it("answers 5xx when the e-mail can't be published, so SNS tries again", async () => {
    sns.on(PublishCommand).rejects(new Error("throttled"));
    const answer = await post({
      Type: "Notification",
      MessageId: "n",
      TopicArn: TOPIC,
      Message: JSON.stringify(ERROR_LOGS_ALARM),
    });
    expect(answer.status).toBe(500);
  });
});
