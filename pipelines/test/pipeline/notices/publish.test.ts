import { ListTopicsCommand, PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { publishNotice } from "../../../src/pipeline/notices/publish.js";

// The SNS calls: ListTopics (every page) to find the environment's e-mail topic, then Publish; no CreateTopic.

const sns = mockClient(SNSClient);
afterEach(() => sns.reset());
const notice = { environment: "prod" as const, subject: "prod changed: abc", message: "body" };

describe("publishNotice", () => {
  it("finds the e-mail topic on a later page and publishes there", async () => {
    const arn = "arn:aws:sns:eu-west-1:123456789012:platform-alarm-emails-prod";
    sns
      .on(ListTopicsCommand, {})
      .resolves({
        Topics: [{ TopicArn: "arn:aws:sns:eu-west-1:123456789012:platform-alarms-prod" }],
        NextToken: "p2",
      })
      .on(ListTopicsCommand, { NextToken: "p2" })
      .resolves({ Topics: [{ TopicArn: arn }] });
    sns.on(PublishCommand).resolves({ MessageId: "m-1" });
    expect(await publishNotice(new SNSClient({ region: "eu-west-1" }), notice)).toBe("m-1");
    expect(sns.commandCalls(PublishCommand)[0]!.args[0].input).toEqual({
      TopicArn: arn,
      Subject: "prod changed: abc",
      Message: "body",
    });
    expect(sns.calls().map((c) => c.args[0].constructor.name)).not.toContain("CreateTopicCommand");
  });

  it("fails with the topic's name when there is none, and with SNS's error when publishing fails", async () => {
    sns.on(ListTopicsCommand).resolves({ Topics: [] });
    await expect(publishNotice(new SNSClient({ region: "eu-west-1" }), notice)).rejects.toThrow(
      "no SNS topic platform-alarm-emails-prod",
    );
    sns
      .on(ListTopicsCommand)
      .resolves({ Topics: [{ TopicArn: "arn:aws:sns:r:1:platform-alarm-emails-prod" }] });
    sns.on(PublishCommand).rejects(new Error("throttled"));
    await expect(publishNotice(new SNSClient({ region: "eu-west-1" }), notice)).rejects.toThrow(
      "publishing to platform-alarm-emails-prod failed: throttled",
    );
  });
});
