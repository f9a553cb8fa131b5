import { XmlMap } from "../../wire/query-codec.js";
import type { SubscriptionRecord, TopicRecord } from "./model.js";

// Topic and subscription records in the shapes the SNS API returns.

export function topicAttributesView(topic: TopicRecord, subs: SubscriptionRecord[]) {
  return new XmlMap({
    TopicArn: topic.arn,
    Owner: ownerOf(topic.arn),
    DisplayName: "",
    Policy: defaultPolicy(topic.arn),
    EffectiveDeliveryPolicy: DEFAULT_DELIVERY_POLICY,
    SubscriptionsConfirmed: String(subs.filter((s) => s.confirmed).length),
    SubscriptionsPending: String(subs.filter((s) => !s.confirmed).length),
    SubscriptionsDeleted: "0",
    ...topic.attributes,
  });
}

export function subscriptionAttributesView(sub: SubscriptionRecord) {
  return new XmlMap({
    SubscriptionArn: sub.arn,
    TopicArn: sub.topicArn,
    Owner: sub.owner,
    Protocol: sub.protocol,
    Endpoint: sub.endpoint,
    PendingConfirmation: String(!sub.confirmed),
    ConfirmationWasAuthenticated: String(sub.confirmed),
    RawMessageDelivery: "false",
    SubscriptionPrincipal: `arn:aws:iam::${sub.owner}:root`,
  });
}

export function subscriptionView(sub: SubscriptionRecord) {
  return {
    SubscriptionArn: shownArn(sub),
    Owner: sub.owner,
    Protocol: sub.protocol,
    Endpoint: sub.endpoint,
    TopicArn: sub.topicArn,
  };
}

/** AWS lists and answers a subscription awaiting confirmation as "PendingConfirmation", not by its ARN. */
export function shownArn(sub: SubscriptionRecord): string {
  return sub.confirmed ? sub.arn : "PendingConfirmation";
}

function ownerOf(arn: string): string {
  return arn.split(":")[4] ?? "";
}

function defaultPolicy(topicArn: string): string {
  return JSON.stringify({
    Version: "2008-10-17",
    Id: "__default_policy_ID",
    Statement: [
      {
        Sid: "__default_statement_ID",
        Effect: "Allow",
        Principal: { AWS: "*" },
        Action: ["SNS:Publish", "SNS:Subscribe", "SNS:GetTopicAttributes", "SNS:SetTopicAttributes"],
        Resource: topicArn,
        Condition: { StringEquals: { "AWS:SourceOwner": ownerOf(topicArn) } },
      },
    ],
  });
}

const DEFAULT_DELIVERY_POLICY = JSON.stringify({
  http: {
    defaultHealthyRetryPolicy: {
      minDelayTarget: 20,
      maxDelayTarget: 20,
      numRetries: 3,
      numMaxDelayRetries: 0,
      numNoDelayRetries: 0,
      numMinDelayRetries: 0,
      backoffFunction: "linear",
    },
    disableSubscriptionOverrides: false,
  },
});
