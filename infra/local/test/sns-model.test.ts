import { describe, expect, it } from "vitest";
import { confirmationDelivery, type Links, notificationDeliveries } from "../src/services/sns/deliveries.js";
import { formatEmail } from "../src/services/sns/delivery.js";
import { emptySnsState, SnsModel } from "../src/services/sns/model.js";
import { codeOf } from "./aws-error.js";

// SNS's rules and delivery decisions on plain state: no wire, no disk, no network.

const scope = { region: "eu-west-1", accountId: "000000000000" };
const links: Links = {
  confirm: (topic, token) => `http://region/confirm?TopicArn=${topic}&Token=${token}`,
  unsubscribe: (sub) => `http://region/unsubscribe?SubscriptionArn=${sub}`,
};
const message = { messageId: "m-1", timestamp: "2026-01-01T00:00:00.000Z" };

function model() {
  let n = 0;
  return new SnsModel(emptySnsState(), { uuid: () => `uuid-${++n}`, token: () => `token-${n}` });
}

function withTopic() {
  const m = model();
  const topic = m.createTopic(scope, { name: "t", attributes: {}, tags: [] });
  return { m, topic };
}

describe("SNS model", () => {
  it("names topics by region and account, FIFO topics end in .fifo", () => {
    const m = model();
    expect(m.createTopic(scope, { name: "t", attributes: {}, tags: [] }).arn).toBe(
      "arn:aws:sns:eu-west-1:000000000000:t",
    );
    expect(
      codeOf(() => m.createTopic(scope, { name: "q", attributes: { FifoTopic: "true" }, tags: [] })),
    ).toBe("InvalidParameter");
    expect(m.createTopic(scope, { name: "q.fifo", attributes: { FifoTopic: "true" }, tags: [] }).name).toBe(
      "q.fifo",
    );
    expect(codeOf(() => m.createTopic(scope, { name: "x".repeat(257), attributes: {}, tags: [] }))).toBe(
      "InvalidParameter",
    );
  });

  it("lists a region's topics and subscriptions only", () => {
    const { m, topic } = withTopic();
    m.subscribe(scope, { topicArn: topic.arn, protocol: "email", endpoint: "a@example.com" });
    const elsewhere = { ...scope, region: "us-west-2" };
    m.createTopic(elsewhere, { name: "t", attributes: {}, tags: [] });
    expect(m.topics(scope).map((t) => t.arn)).toEqual([topic.arn]);
    expect(m.topics(elsewhere).map((t) => t.arn)).toEqual(["arn:aws:sns:us-west-2:000000000000:t"]);
    expect(m.subscriptions(elsewhere)).toEqual([]);
    expect(m.subscriptions(scope)).toHaveLength(1);
  });

  it("refuses a Policy that is not JSON and a FifoTopic change", () => {
    const { m, topic } = withTopic();
    expect(codeOf(() => m.setTopicAttribute(topic.arn, "Policy", "{not json"))).toBe("InvalidParameter");
    expect(codeOf(() => m.setTopicAttribute(topic.arn, "FifoTopic", "true"))).toBe("InvalidParameter");
    m.setTopicAttribute(topic.arn, "DisplayName", "Ops");
    expect(m.topic(topic.arn).attributes.DisplayName).toBe("Ops");
  });

  it("a new subscription is pending with a token; subscribing again is the same one; confirming clears the token", () => {
    const { m, topic } = withTopic();
    const input = { topicArn: topic.arn, protocol: "HTTPS", endpoint: "https://hook.example/x" };
    const sub = m.subscribe(scope, input);
    expect(sub).toMatchObject({ protocol: "https", confirmed: false, token: "token-1" });
    expect(m.subscribe(scope, input)).toBe(sub);
    expect(m.recipients(topic.arn)).toEqual([]);
    expect(codeOf(() => m.confirm(topic.arn, "wrong"))).toBe("InvalidParameter");
    m.confirm(topic.arn, "token-1");
    expect(m.recipients(topic.arn)).toEqual([sub]);
    expect(sub.token).toBeUndefined();
  });

  it("deleting a topic deletes its subscriptions; deleting it again is fine", () => {
    const { m, topic } = withTopic();
    m.subscribe(scope, { topicArn: topic.arn, protocol: "email", endpoint: "a@example.com" });
    m.deleteTopic(topic.arn);
    m.deleteTopic(topic.arn);
    expect(m.subscriptions()).toEqual([]);
    expect(codeOf(() => m.topic(topic.arn))).toBe("NotFound");
  });
});

describe("SNS deliveries", () => {
  it("an HTTP confirmation is AWS's SubscriptionConfirmation body with SubscribeURL and Token", () => {
    const { m, topic } = withTopic();
    const sub = m.subscribe(scope, { topicArn: topic.arn, protocol: "http", endpoint: "http://h/x" });
    expect(confirmationDelivery(sub, topic, message, links)).toMatchObject({
      kind: "http",
      url: "http://h/x",
      messageType: "SubscriptionConfirmation",
      body: {
        Type: "SubscriptionConfirmation",
        Token: "token-1",
        TopicArn: topic.arn,
        SubscribeURL: `http://region/confirm?TopicArn=${topic.arn}&Token=token-1`,
      },
    });
  });

  it("an e-mail confirmation carries the confirm link; email-json the JSON body", () => {
    const { m, topic } = withTopic();
    const email = m.subscribe(scope, { topicArn: topic.arn, protocol: "email", endpoint: "a@example.com" });
    const json = m.subscribe(scope, {
      topicArn: topic.arn,
      protocol: "email-json",
      endpoint: "b@example.com",
    });
    const mail = confirmationDelivery(email, topic, message, links);
    expect(mail).toMatchObject({ kind: "email", to: "a@example.com" });
    expect(mail?.kind === "email" && mail.body).toContain(links.confirm(topic.arn, "token-1"));
    const jsonMail = confirmationDelivery(json, topic, message, links);
    expect(jsonMail?.kind === "email" && JSON.parse(jsonMail.body).Token).toBe("token-2");
  });

  it("a notification reaches each confirmed subscriber with its own UnsubscribeURL", () => {
    const { m, topic } = withTopic();
    const sub = m.subscribe(scope, { topicArn: topic.arn, protocol: "http", endpoint: "http://h/x" });
    m.confirm(topic.arn, "token-1");
    const published = {
      ...message,
      message: "hi",
      subject: "S",
      attributes: { a: { type: "Number", value: "1" } },
    };
    const [delivery] = notificationDeliveries(m.recipients(topic.arn), topic, published, links);
    expect(delivery).toMatchObject({
      kind: "http",
      messageType: "Notification",
      subscriptionArn: sub.arn,
      body: {
        Type: "Notification",
        Message: "hi",
        Subject: "S",
        UnsubscribeURL: links.unsubscribe(sub.arn),
        MessageAttributes: { a: { Type: "Number", Value: "1" } },
      },
    });
  });

  it("an e-mail is RFC 5322 text: CRLF lines, the headers, a non-ASCII subject encoded", () => {
    const eml = formatEmail(
      { kind: "email", to: "a@example.com", subject: "Déployé", body: "line 1\nline 2\n", messageId: "m-1" },
      new Date("2026-01-02T03:04:05Z"),
    );
    expect(eml).toBe(
      [
        "From: AWS Notifications <no-reply@sns.amazonaws.com>",
        "To: a@example.com",
        `Subject: =?UTF-8?B?${Buffer.from("Déployé").toString("base64")}?=`,
        "Date: Fri, 02 Jan 2026 03:04:05 +0000",
        "Message-ID: <m-1@sns.amazonaws.com>",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=UTF-8",
        "Content-Transfer-Encoding: 8bit",
        "",
        "line 1",
        "line 2",
        "",
      ].join("\r\n"),
    );
  });
});
