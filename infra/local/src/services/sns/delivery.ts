import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../../state/atomic-file.js";
import type { Delivery, EmailDelivery, HttpDelivery } from "./deliveries.js";
import { type SmtpOptions, SmtpSender, smtpLabel } from "./smtp.js";

// The runtime side of SNS delivery: e-mail leaves over SMTP when the region has a server, or else
// lands in `<stateDir>/outbox/` as .eml files a person can open; HTTP(S) subscribers get AWS's JSON
// body by POST. Deliveries run after the API has answered; one that fails is retried with a
// doubling pause, then given up on (logged), as SNS's default policy does. Mail meant for SMTP never
// falls back to the outbox: a message that seems sent but is not is worse than one that failed loudly.

export interface DeliveryOptions {
  outboxDir: string;
  log: (message: string) => void;
  smtp?: SmtpOptions | undefined;
  /** Attempts per HTTP delivery (3 by default), `retryDelayMs` apart (doubling). */
  attempts?: number;
  /** Attempts per SMTP delivery (5 by default), `retryDelayMs` apart (1 s by default for SMTP), doubling. */
  smtpAttempts?: number;
  retryDelayMs?: number;
  timeoutMs?: number;
  now?: () => Date;
}

const AWS_SENDER = "AWS Notifications <no-reply@sns.amazonaws.com>";

export class Deliverer {
  private readonly pending = new Set<Promise<void>>();
  private sequence = 0;
  private readonly stopping = new AbortController();
  private readonly smtp: SmtpSender | undefined;

  constructor(private readonly options: DeliveryOptions) {
    mkdirSync(options.outboxDir, { recursive: true });
    this.smtp = options.smtp && new SmtpSender(options.smtp);
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
    this.smtp?.close();
  }

  private deliver(delivery: Delivery): Promise<void> | void {
    if (delivery.kind === "http") return this.post(delivery);
    if (this.smtp && this.options.smtp) return this.mail(delivery, this.smtp, this.options.smtp);
    return this.writeEmail(delivery);
  }

  private writeEmail(mail: EmailDelivery): void {
    const date = this.now();
    const name = `${date.toISOString().replace(/[:.]/g, "-")}-${++this.sequence}-${mail.messageId}.eml`;
    writeFileAtomic(join(this.options.outboxDir, name), formatEmail(mail, date));
  }

  private async mail(mail: EmailDelivery, smtp: SmtpSender, options: SmtpOptions): Promise<void> {
    const raw = formatEmail(mail, this.now(), options.from);
    const where = `${mail.to} via ${smtpLabel(options)}`;
    const attempts = {
      count: this.options.smtpAttempts ?? 5,
      firstDelayMs: this.options.retryDelayMs ?? 1000,
    };
    await this.retry(`e-mail to ${where}`, attempts, async (attempt) => {
      try {
        await smtp.send(mail.to, raw);
        return true;
      } catch (error) {
        this.options.log(
          `sns: e-mail to ${where} failed (attempt ${attempt} of ${attempts.count}): ${String(error)}`,
        );
        return false;
      }
    });
  }

  private post(delivery: HttpDelivery): Promise<void> {
    const attempts = { count: this.options.attempts ?? 3, firstDelayMs: this.options.retryDelayMs ?? 200 };
    return this.retry(`delivering to ${delivery.url}`, attempts, () => this.postOnce(delivery));
  }

  private async retry(
    what: string,
    attempts: { count: number; firstDelayMs: number },
    once: (attempt: number) => Promise<boolean>,
  ): Promise<void> {
    let delay = attempts.firstDelayMs;
    for (let attempt = 1; attempt <= attempts.count; attempt++) {
      if (await once(attempt)) return;
      if (attempt < attempts.count && !(await this.pause(delay))) return;
      delay *= 2;
    }
    this.options.log(`sns: gave up ${what} after ${attempts.count} attempts`);
  }

  private now(): Date {
    return (this.options.now ?? (() => new Date()))();
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
export function formatEmail(mail: EmailDelivery, date: Date, from = AWS_SENDER): string {
  const headers = [
    `From: ${from}`,
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
