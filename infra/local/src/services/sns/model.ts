import { AwsError } from "../../contracts.js";

// SNS's rules over plain JSON state: topics (idempotent by name), subscriptions and their
// confirmation, what a publish reaches. No I/O: what is to be delivered is decided in deliveries.ts
// and sent by the runtime (delivery.ts).

export type Protocol = "email" | "email-json" | "http" | "https";
export const PROTOCOLS: readonly Protocol[] = ["email", "email-json", "http", "https"];

export interface Tag {
  key: string;
  value: string;
}

export interface TopicRecord {
  arn: string;
  name: string;
  attributes: Record<string, string>;
  tags: Tag[];
}

export interface SubscriptionRecord {
  arn: string;
  topicArn: string;
  protocol: Protocol;
  endpoint: string;
  owner: string;
  /** The token SNS sent out; cleared once the subscription is confirmed. */
  token?: string | undefined;
  confirmed: boolean;
}

export interface SnsState {
  topics: Record<string, TopicRecord>;
  subscriptions: Record<string, SubscriptionRecord>;
}

export function emptySnsState(): SnsState {
  return { topics: {}, subscriptions: {} };
}

export interface Scope {
  region: string;
  accountId: string;
}

/** Where new identifiers come from: random in the region, fixed in a model test. */
export interface Ids {
  uuid(): string;
  token(): string;
}

const SETTABLE = new Set([
  "DisplayName",
  "Policy",
  "DeliveryPolicy",
  "KmsMasterKeyId",
  "TracingConfig",
  "SignatureVersion",
  "ContentBasedDeduplication",
  "FifoTopic",
  "ArchivePolicy",
  "DataProtectionPolicy",
]);

export function invalidParameter(what: string): AwsError {
  return new AwsError("InvalidParameter", `Invalid parameter: ${what}`);
}

export function notFound(message: string): AwsError {
  return new AwsError("NotFound", message, 404);
}

export class SnsModel {
  constructor(
    readonly state: SnsState,
    private readonly ids: Ids,
  ) {}

  createTopic(
    scope: Scope,
    input: { name: string; attributes: Record<string, string>; tags: Tag[] },
  ): TopicRecord {
    checkTopicName(input.name, input.attributes);
    for (const [name, value] of Object.entries(input.attributes)) checkAttribute(name, value);
    const arn = `arn:aws:sns:${scope.region}:${scope.accountId}:${input.name}`;
    const existing = this.state.topics[arn];
    if (existing) return sameTopic(existing, input);
    const topic: TopicRecord = {
      arn,
      name: input.name,
      attributes: { ...input.attributes },
      tags: input.tags,
    };
    this.state.topics[arn] = topic;
    return topic;
  }

  /** Idempotent, as AWS's: a topic that does not exist is already deleted. */
  deleteTopic(arn: string): void {
    delete this.state.topics[arn];
    for (const sub of this.subscriptionsOf(arn)) delete this.state.subscriptions[sub.arn];
  }

  /** A region's topics: AWS lists those of the region the request is signed for. */
  topics(scope: Scope): TopicRecord[] {
    return Object.values(this.state.topics).filter((t) => inScope(t.arn, scope));
  }

  topic(arn: string): TopicRecord {
    const topic = this.state.topics[arn];
    if (!topic) throw notFound("Topic does not exist");
    return topic;
  }

  setTopicAttribute(arn: string, name: string, value: string): void {
    const topic = this.topic(arn);
    if (name === "FifoTopic") throw invalidParameter("AttributeName");
    checkAttribute(name, value);
    topic.attributes[name] = value;
  }

  /** A new subscription is pending until confirmed with its token; subscribing again resends it. */
  subscribe(
    scope: Scope,
    input: { topicArn: string; protocol: string; endpoint: string },
  ): SubscriptionRecord {
    this.topic(input.topicArn);
    const protocol = checkProtocol(input.protocol);
    checkEndpoint(protocol, input.endpoint);
    const existing = this.subscriptionsOf(input.topicArn).find(
      (s) => s.protocol === protocol && s.endpoint === input.endpoint,
    );
    if (existing) return existing;
    const sub: SubscriptionRecord = {
      arn: `${input.topicArn}:${this.ids.uuid()}`,
      topicArn: input.topicArn,
      protocol,
      endpoint: input.endpoint,
      owner: scope.accountId,
      token: this.ids.token(),
      confirmed: false,
    };
    this.state.subscriptions[sub.arn] = sub;
    return sub;
  }

  confirm(topicArn: string, token: string): SubscriptionRecord {
    this.topic(topicArn);
    const sub = this.subscriptionsOf(topicArn).find((s) => s.token === token);
    if (!sub) throw invalidParameter("Token");
    sub.confirmed = true;
    sub.token = undefined;
    return sub;
  }

  unsubscribe(arn: string): void {
    this.subscription(arn);
    delete this.state.subscriptions[arn];
  }

  subscription(arn: string): SubscriptionRecord {
    const sub = this.state.subscriptions[arn];
    if (!sub) throw notFound("Subscription does not exist");
    return sub;
  }

  subscriptions(scope?: Scope): SubscriptionRecord[] {
    const all = Object.values(this.state.subscriptions);
    return scope ? all.filter((s) => inScope(s.topicArn, scope)) : all;
  }

  subscriptionsOf(topicArn: string): SubscriptionRecord[] {
    return this.subscriptions().filter((s) => s.topicArn === topicArn);
  }

  /** The subscriptions a message published to the topic reaches: the confirmed ones only. */
  recipients(topicArn: string): SubscriptionRecord[] {
    this.topic(topicArn);
    return this.subscriptionsOf(topicArn).filter((s) => s.confirmed);
  }
}

function inScope(arn: string, scope: Scope): boolean {
  return arn.startsWith(`arn:aws:sns:${scope.region}:${scope.accountId}:`);
}

function sameTopic(existing: TopicRecord, input: { attributes: Record<string, string>; tags: Tag[] }) {
  const differs = Object.entries(input.attributes).some(([k, v]) => existing.attributes[k] !== v);
  if (differs) throw invalidParameter("Attributes Reason: Topic already exists with different attributes");
  const tagsDiffer = input.tags.some(
    (t) => !existing.tags.some((e) => e.key === t.key && e.value === t.value),
  );
  if (tagsDiffer) throw invalidParameter("Tags Reason: Topic already exists with different tags");
  return existing;
}

function checkTopicName(name: string, attributes: Record<string, string>): void {
  const fifo = attributes.FifoTopic === "true";
  const base = fifo ? name.replace(/\.fifo$/, "") : name;
  if (!/^[A-Za-z0-9_-]{1,256}$/.test(base) || (fifo && !name.endsWith(".fifo")) || name.length > 256) {
    throw invalidParameter("Topic Name");
  }
}

function checkAttribute(name: string, value: string): void {
  if (!SETTABLE.has(name)) throw invalidParameter("AttributeName");
  if (name === "Policy" || name === "DeliveryPolicy") checkJson(name, value);
}

function checkJson(name: string, value: string): void {
  try {
    JSON.parse(value);
  } catch {
    throw invalidParameter(`${name}: failed to parse JSON`);
  }
}

function checkProtocol(protocol: string): Protocol {
  const found = PROTOCOLS.find((p) => p === protocol.toLowerCase());
  if (!found) throw invalidParameter(`Amazon SNS does not support this protocol string: ${protocol}`);
  return found;
}

function checkEndpoint(protocol: Protocol, endpoint: string): void {
  if (protocol === "email" || protocol === "email-json") {
    if (!/^[^@\s]+@[^@\s]+$/.test(endpoint)) throw invalidParameter("Email address");
    return;
  }
  let url: URL | undefined;
  try {
    url = new URL(endpoint);
  } catch {
    url = undefined;
  }
  if (url?.protocol !== `${protocol}:`) throw invalidParameter("Endpoint must match the specified protocol");
}
