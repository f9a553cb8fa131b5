import type { Durable, OperationHandler } from "../../contracts.js";
import { commitAfter, mutating } from "../../state/durable.js";
import { paginate } from "../../wire/paging.js";
import { reqString } from "../../wire/params.js";
import { confirmationDelivery, type Delivery, type Links, notificationDeliveries } from "./deliveries.js";
import {
  createTopicInput,
  invalidToken,
  pageRequest,
  publishInput,
  subscribeInput,
  subscriptionArn,
  topicArn,
} from "./input.js";
import type { SnsModel, SnsState } from "./model.js";
import { subscriptionAttributesView, subscriptionView, topicAttributesView } from "./views.js";

// SNS's operations: decoded input, model call, commit, API-shaped output. What is to be delivered
// is handed to `send`, which does not make the answer wait for it.

export interface SnsRuntime {
  links: Links;
  send(deliveries: Delivery[]): void;
  messageId(): string;
  now(): Date;
}

export function snsOperations(
  model: SnsModel,
  durable: Durable<SnsState>,
  runtime: SnsRuntime,
): Record<string, OperationHandler> {
  const stamp = () => ({ messageId: runtime.messageId(), timestamp: runtime.now().toISOString() });
  return {
    CreateTopic: mutating(durable, (input, ctx) => ({
      TopicArn: model.createTopic(ctx, createTopicInput(input)).arn,
    })),
    DeleteTopic: mutating(durable, (input, ctx) => {
      model.deleteTopic(topicArn(input, ctx));
      return {};
    }),
    ListTopics: (input, ctx) => {
      const page = paginate(model.topics(ctx), pageRequest(input), invalidToken);
      return { Topics: page.items.map((t) => ({ TopicArn: t.arn })), NextToken: page.next };
    },
    GetTopicAttributes: (input, ctx) => {
      const arn = topicArn(input, ctx);
      return { Attributes: topicAttributesView(model.topic(arn), model.subscriptionsOf(arn)) };
    },
    SetTopicAttributes: mutating(durable, (input, ctx) => {
      const value = typeof input.AttributeValue === "string" ? input.AttributeValue : "";
      model.setTopicAttribute(topicArn(input, ctx), reqString(input, "AttributeName"), value);
      return {};
    }),
    Subscribe: (input, ctx) => {
      const request = subscribeInput(input, ctx);
      // The confirmation goes out only once the subscription it confirms is on disk.
      const sub = commitAfter(durable, () => model.subscribe(ctx, request));
      const confirmation = confirmationDelivery(sub, model.topic(sub.topicArn), stamp(), runtime.links);
      if (confirmation) runtime.send([confirmation]);
      return { SubscriptionArn: request.returnArn || sub.confirmed ? sub.arn : "pending confirmation" };
    },
    ConfirmSubscription: mutating(durable, (input, ctx) => ({
      SubscriptionArn: model.confirm(topicArn(input, ctx), reqString(input, "Token")).arn,
    })),
    Unsubscribe: mutating(durable, (input, ctx) => {
      model.unsubscribe(subscriptionArn(input, ctx));
      return {};
    }),
    ListSubscriptions: (input, ctx) => {
      const page = paginate(model.subscriptions(ctx), pageRequest(input), invalidToken);
      return { Subscriptions: page.items.map(subscriptionView), NextToken: page.next };
    },
    ListSubscriptionsByTopic: (input, ctx) => {
      const arn = topicArn(input, ctx);
      model.topic(arn);
      const page = paginate(model.subscriptionsOf(arn), pageRequest(input), invalidToken);
      return { Subscriptions: page.items.map(subscriptionView), NextToken: page.next };
    },
    GetSubscriptionAttributes: (input, ctx) => ({
      Attributes: subscriptionAttributesView(model.subscription(subscriptionArn(input, ctx))),
    }),
    Publish: (input, ctx) => ({ MessageId: publish(model, runtime, publishInput(input, ctx)) }),
  };
}

export interface PublishRequest {
  topicArn: string;
  message: string;
  subject?: string | undefined;
  attributes: Record<string, { type: string; value: string }>;
}

/** Publish's fan-out, also the path of messages from inside the region (alarm actions); returns the MessageId. */
export function publish(model: SnsModel, runtime: SnsRuntime, request: PublishRequest): string {
  const topic = model.topic(request.topicArn);
  const message = { ...request, messageId: runtime.messageId(), timestamp: runtime.now().toISOString() };
  runtime.send(notificationDeliveries(model.recipients(topic.arn), topic, message, runtime.links));
  return message.messageId;
}
