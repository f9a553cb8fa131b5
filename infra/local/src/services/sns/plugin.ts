import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import {
  AwsError,
  type Durable,
  type RegionPlugin,
  type RegionServices,
  type TopicPublisher,
} from "../../contracts.js";
import { commitAfter } from "../../state/durable.js";
import { encodeQueryError, encodeQueryResponse } from "../../wire/query-codec.js";
import type { Links } from "./deliveries.js";
import { Deliverer } from "./delivery.js";
import type { SnsModel, SnsState } from "./model.js";
import { createSnsService, SNS_XML_NAMESPACE } from "./service.js";
import type { SmtpOptions } from "./smtp.js";

// SNS in the region: the service, its deliverer (outbox and HTTP POSTs) and the unsigned links a
// subscriber visits, as AWS's SubscribeURL and UnsubscribeURL are plain GETs.

const CONFIRM_ROUTE = "/_sns/confirm";
const UNSUBSCRIBE_ROUTE = "/_sns/unsubscribe";

export class SnsPlugin implements RegionPlugin, TopicPublisher {
  readonly name = "sns";
  private deliverer: Deliverer | undefined;
  private publisher: TopicPublisher | undefined;

  constructor(
    private readonly log: (message: string) => void,
    /** E-mail subscriptions leave over SMTP when given; otherwise they land in `<stateDir>/outbox/`. */
    private readonly smtp?: SmtpOptions,
  ) {}

  start(services: RegionServices): void {
    const outboxDir = join(services.stateDir, "outbox");
    const deliverer = new Deliverer({ outboxDir, log: this.log, smtp: this.smtp });
    this.deliverer = deliverer;
    const sns = createSnsService(services.durable, {
      links: linksOn(services.endpoint),
      send: (deliveries) => deliverer.send(deliveries),
    });
    this.publisher = sns.publisher;
    services.registerService(sns.definition);
    services.registerHttpRoute(CONFIRM_ROUTE, (req, res) =>
      answerLink(req, res, "ConfirmSubscription", (q) => ({
        SubscriptionArn: commitAfter(sns.durable, () => sns.model.confirm(q("TopicArn"), q("Token"))).arn,
      })),
    );
    services.registerHttpRoute(UNSUBSCRIBE_ROUTE, (req, res) =>
      answerLink(req, res, "Unsubscribe", (q) => unsubscribe(sns.model, sns.durable, q("SubscriptionArn"))),
    );
  }

  /** For CloudWatch's alarm actions, which the region wires before SNS has started. */
  publish(topicArn: string, message: { subject?: string; message: string }): string {
    if (!this.publisher) throw new AwsError("ServiceUnavailable", "SNS has not started", 503, "Receiver");
    return this.publisher.publish(topicArn, message);
  }

  async stop(): Promise<void> {
    await this.deliverer?.stop();
  }
}

function linksOn(endpoint: string): Links {
  return {
    confirm: (topicArn, token) =>
      `${endpoint}${CONFIRM_ROUTE}?${new URLSearchParams({ TopicArn: topicArn, Token: token })}`,
    unsubscribe: (subscriptionArn) =>
      `${endpoint}${UNSUBSCRIBE_ROUTE}?${new URLSearchParams({ SubscriptionArn: subscriptionArn })}`,
  };
}

function unsubscribe(model: SnsModel, durable: Durable<SnsState>, arn: string) {
  commitAfter(durable, () => model.unsubscribe(arn));
  return {};
}

function answerLink(
  req: IncomingMessage,
  res: ServerResponse,
  action: string,
  run: (query: (name: string) => string) => unknown,
): void {
  const params = new URL(req.url ?? "/", "http://localhost").searchParams;
  const query = (name: string) => params.get(name) ?? "";
  const requestId = crypto.randomUUID();
  try {
    sendXml(res, 200, encodeQueryResponse(action, SNS_XML_NAMESPACE, run(query), requestId));
  } catch (error) {
    if (!(error instanceof AwsError)) throw error;
    sendXml(res, error.status, encodeQueryError(SNS_XML_NAMESPACE, error, requestId));
  }
}

function sendXml(res: ServerResponse, status: number, xml: string): void {
  res.writeHead(status, { "content-type": "text/xml", "content-length": Buffer.byteLength(xml) });
  res.end(xml);
}
