import type { SubscriptionRecord, TopicRecord } from "./model.js";

// What SNS sends, and to whom: the confirmation a new subscription gets and a publish's fan-out to
// the confirmed subscriptions, in AWS's shapes (an HTTP POST of AWS's JSON body, or an e-mail).
// Pure: the runtime (delivery.ts) puts these on the outbox or the network.

export type MessageType = "SubscriptionConfirmation" | "Notification";

export interface EmailDelivery {
  kind: "email";
  to: string;
  subject: string;
  body: string;
  messageId: string;
}

export interface HttpDelivery {
  kind: "http";
  url: string;
  messageType: MessageType;
  topicArn: string;
  subscriptionArn?: string | undefined;
  body: Record<string, unknown>;
}

export type Delivery = EmailDelivery | HttpDelivery;

/** The region's URLs a subscriber visits: the confirm link, the unsubscribe link. */
export interface Links {
  confirm(topicArn: string, token: string): string;
  unsubscribe(subscriptionArn: string): string;
}

export interface PublishedMessage {
  messageId: string;
  message: string;
  subject?: string | undefined;
  attributes: Record<string, { type: string; value: string }>;
  timestamp: string;
}

export function confirmationDelivery(
  sub: SubscriptionRecord,
  topic: TopicRecord,
  message: { messageId: string; timestamp: string },
  links: Links,
): Delivery | undefined {
  if (!sub.token) return undefined;
  const url = links.confirm(topic.arn, sub.token);
  const text =
    `You have chosen to subscribe to the topic:\n${topic.arn}\n\n` +
    `To confirm this subscription, click or visit the link below (If this was in error no action is necessary):\n${url}\n`;
  const body = {
    Type: "SubscriptionConfirmation",
    MessageId: message.messageId,
    Token: sub.token,
    TopicArn: topic.arn,
    Message: `You have chosen to subscribe to the topic ${topic.arn}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`,
    SubscribeURL: url,
    Timestamp: message.timestamp,
    SignatureVersion: "1",
  };
  const subject = `${displayName(topic)} - Subscription Confirmation`;
  return deliveryTo(sub, subject, sub.protocol === "email" ? text : json(body), body, message.messageId);
}

export function notificationDeliveries(
  subs: SubscriptionRecord[],
  topic: TopicRecord,
  message: PublishedMessage,
  links: Links,
): Delivery[] {
  return subs.map((sub) => {
    const body = {
      Type: "Notification",
      MessageId: message.messageId,
      TopicArn: topic.arn,
      Subject: message.subject,
      Message: message.message,
      Timestamp: message.timestamp,
      SignatureVersion: "1",
      UnsubscribeURL: links.unsubscribe(sub.arn),
      MessageAttributes: attributesOf(message),
    };
    const subject = message.subject ?? displayName(topic);
    const text = `${message.message}\n\n--\nIf you wish to stop receiving notifications from this topic, please click or visit the link below to unsubscribe:\n${links.unsubscribe(sub.arn)}\n`;
    return deliveryTo(sub, subject, sub.protocol === "email" ? text : json(body), body, message.messageId);
  });
}

function deliveryTo(
  sub: SubscriptionRecord,
  subject: string,
  emailBody: string,
  body: Record<string, unknown>,
  messageId: string,
): Delivery {
  if (sub.protocol === "email" || sub.protocol === "email-json") {
    return { kind: "email", to: sub.endpoint, subject, body: emailBody, messageId };
  }
  return {
    kind: "http",
    url: sub.endpoint,
    messageType: body.Type as MessageType,
    topicArn: sub.topicArn,
    subscriptionArn: sub.confirmed ? sub.arn : undefined,
    body,
  };
}

function attributesOf(message: PublishedMessage) {
  const entries = Object.entries(message.attributes);
  if (entries.length === 0) return undefined;
  return Object.fromEntries(entries.map(([name, a]) => [name, { Type: a.type, Value: a.value }]));
}

function displayName(topic: TopicRecord): string {
  return topic.attributes.DisplayName || "AWS Notification";
}

function json(body: Record<string, unknown>): string {
  return `${JSON.stringify(body, null, 2)}\n`;
}
