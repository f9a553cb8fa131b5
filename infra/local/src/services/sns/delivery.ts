import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../../state/atomic-file.js";
import type { Delivery, EmailDelivery, HttpDelivery } from "./deliveries.js";

// The runtime side of SNS delivery: e-mail lands in `<stateDir>/outbox/` as .eml files a person can
// open, HTTP(S) subscribers get AWS's JSON body by POST. Deliveries run after the API has answered;
// an HTTP subscriber that fails is retried a few times, then given up on, as SNS's default policy does.

export interface DeliveryOptions {
  outboxDir: string;
  log: (message: string) => void;
  /** Attempts per HTTP delivery (3 by default), `retryDelayMs` apart (doubling). */
  attempts?: number;
  retryDelayMs?: number;
  timeoutMs?: number;
  now?: () => Date;
}

export class Deliverer {
  private readonly pending = new Set<Promise<void>>();
  private sequence = 0;
  private readonly stopping = new AbortController();

  constructor(private readonly options: DeliveryOptions) {
    mkdirSync(options.outboxDir, { recursive: true });
  }

  /** Hands deliveries on without waiting for them. */
  send(deliveries: Delivery[]): void {
    for (const delivery of deliveries) {
      const run = new Promise<void>((resolve) => setImmediate(resolve))
        .then(() => this.deliver(delivery))
        .catch((error) => this.options.log(`sns: delivery failed: ${String(error)}`));
      this.pending.add(run);
      void run.finally(() => this.pending.delete(run));
    }
  }

  /** Cuts short HTTP deliveries in flight or waiting to retry; e-mail still written is finished. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await Promise.allSettled([...this.pending]);
  }

  private deliver(delivery: Delivery): Promise<void> | void {
    if (delivery.kind === "email") return this.writeEmail(delivery);
    return this.post(delivery);
  }

  private writeEmail(mail: EmailDelivery): void {
    const date = (this.options.now ?? (() => new Date()))();
    const name = `${date.toISOString().replace(/[:.]/g, "-")}-${++this.sequence}-${mail.messageId}.eml`;
    writeFileAtomic(join(this.options.outboxDir, name), formatEmail(mail, date));
  }

  private async post(delivery: HttpDelivery): Promise<void> {
    const attempts = this.options.attempts ?? 3;
    let delay = this.options.retryDelayMs ?? 200;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (await this.postOnce(delivery)) return;
      if (attempt < attempts && !(await this.pause(delay))) return;
      delay *= 2;
    }
    this.options.log(`sns: gave up delivering to ${delivery.url} after ${attempts} attempts`);
  }

  private async postOnce(delivery: HttpDelivery): Promise<boolean> {
    try {
      const response = await fetch(delivery.url, {
        method: "POST",
        headers: httpHeaders(delivery),
        body: JSON.stringify(delivery.body),
        signal: AbortSignal.any([
          this.stopping.signal,
          AbortSignal.timeout(this.options.timeoutMs ?? 15_000),
        ]),
      });
      await response.arrayBuffer();
      return response.status >= 200 && response.status < 300;
    } catch {
      return false;
    }
  }

  /** False when the region stops during the pause. */
  private pause(ms: number): Promise<boolean> {
    const signal = this.stopping.signal;
    if (signal.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(true), ms);
      const cancel = () => {
        clearTimeout(timer);
        resolve(false);
      };
      signal.addEventListener("abort", cancel, { once: true });
    });
  }
}

function httpHeaders(delivery: HttpDelivery): Record<string, string> {
  const headers: Record<string, string> = {
    "content-type": "text/plain; charset=UTF-8",
    "x-amz-sns-message-type": delivery.messageType,
    "x-amz-sns-message-id": String(delivery.body.MessageId),
    "x-amz-sns-topic-arn": delivery.topicArn,
    "user-agent": "Amazon Simple Notification Service Agent",
  };
  if (delivery.subscriptionArn) headers["x-amz-sns-subscription-arn"] = delivery.subscriptionArn;
  return headers;
}

/** RFC 5322: CRLF line ends, a UTF-8 text body; a non-ASCII subject as an RFC 2047 encoded word. */
export function formatEmail(mail: EmailDelivery, date: Date): string {
  const headers = [
    "From: AWS Notifications <no-reply@sns.amazonaws.com>",
    `To: ${mail.to}`,
    `Subject: ${encodedWord(mail.subject)}`,
    `Date: ${date.toUTCString().replace("GMT", "+0000")}`,
    `Message-ID: <${mail.messageId}@sns.amazonaws.com>`,
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=UTF-8",
    "Content-Transfer-Encoding: 8bit",
  ];
  return `${headers.join("\r\n")}\r\n\r\n${mail.body.replace(/\r?\n/g, "\r\n")}`;
}

function encodedWord(text: string): string {
  const oneLine = text.replace(/[\r\n]+/g, " ");
  if (/^[\x20-\x7e]*$/.test(oneLine)) return oneLine;
  return `=?UTF-8?B?${Buffer.from(oneLine, "utf8").toString("base64")}?=`;
}
