import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { z } from "zod";
import type { ParsedNotifierConfig } from "./config.js";
import { type NotifierClients, notify } from "./handler.js";
import { InvalidMessage, parseAlarmMessage, type SnsHttpDelivery, snsHttpDelivery } from "./message.js";

// The notifier as an SNS HTTP(S) subscriber, for the local region: SNS POSTs its JSON body here. A
// subscription is confirmed by visiting its SubscribeURL; a notification becomes an e-mail. Garbage
// gets a 4xx and a failure to send a 5xx (so SNS retries); nothing a client sends stops the server.

export interface HttpSubscriberOptions {
  config: ParsedNotifierConfig;
  clients: NotifierClients;
  /** Origins a SubscribeURL may point at (the region's endpoint); anything else is refused, not fetched. */
  confirmOrigins: string[];
  /** 0 (the default) picks a free port. Always on 127.0.0.1. */
  port?: number;
  log?: (line: string) => void;
  /** SNS messages are at most 256 KiB; the envelope adds a little. */
  maxBodyBytes?: number;
}

export interface HttpSubscriber {
  /** `http://127.0.0.1:<port>/`: the endpoint to subscribe with protocol http. */
  url: string;
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function startHttpSubscriber(options: HttpSubscriberOptions): Promise<HttpSubscriber> {
  const log = options.log ?? (() => {});
  const server = createServer((req, res) => {
    answer(req, res, options).catch((error) => log(`alarm-notifier: ${String(error)}`));
  });
  server.on("clientError", (_error, socket) => socket.destroy());
  const port = await listen(server, options.port ?? 0);
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function answer(req: IncomingMessage, res: ServerResponse, options: HttpSubscriberOptions) {
  try {
    const delivery = await readDelivery(req, options.maxBodyBytes ?? 512 * 1024);
    const said = await handleDelivery(delivery, options);
    reply(res, 200, said);
  } catch (error) {
    const status = error instanceof HttpError ? error.status : 500;
    reply(res, status, error instanceof Error ? error.message : String(error));
    if (status >= 500) options.log?.(`alarm-notifier: ${status} ${String(error)}`);
  }
}

async function readDelivery(req: IncomingMessage, maxBytes: number): Promise<SnsHttpDelivery> {
  if (req.method !== "POST") throw new HttpError(405, "SNS delivers with POST");
  const text = await readBody(req, maxBytes);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new HttpError(400, "the body is not JSON");
  }
  const parsed = snsHttpDelivery.safeParse(json);
  if (!parsed.success) throw new HttpError(400, `not an SNS delivery: ${z.prettifyError(parsed.error)}`);
  const type = req.headers["x-amz-sns-message-type"];
  if (type !== undefined && type !== parsed.data.Type) {
    throw new HttpError(400, `x-amz-sns-message-type ${String(type)} disagrees with the body's Type`);
  }
  return parsed.data;
}

async function handleDelivery(delivery: SnsHttpDelivery, options: HttpSubscriberOptions): Promise<string> {
  switch (delivery.Type) {
    case "SubscriptionConfirmation":
      await confirm(delivery.SubscribeURL, options.confirmOrigins);
      return `confirmed ${delivery.TopicArn}`;
    case "UnsubscribeConfirmation":
      return `unsubscribed from ${delivery.TopicArn}`;
    case "Notification": {
      const alarm = parseOrReject(delivery.Message);
      const sent = await notify(alarm, options.config, options.clients);
      return "skipped" in sent ? `skipped ${sent.skipped}` : `sent ${sent.subject}`;
    }
  }
}

function parseOrReject(message: string) {
  try {
    return parseAlarmMessage(message);
  } catch (error) {
    if (error instanceof InvalidMessage) throw new HttpError(400, error.message);
    throw error;
  }
}

/** Visiting the SubscribeURL is how SNS learns the endpoint wants the messages. */
async function confirm(subscribeUrl: string, origins: string[]): Promise<void> {
  if (!origins.includes(new URL(subscribeUrl).origin)) {
    throw new HttpError(403, `SubscribeURL ${subscribeUrl} is not at ${origins.join(" or ")}; not visited`);
  }
  const response = await fetch(subscribeUrl, { signal: AbortSignal.timeout(10_000) }).catch((error) => {
    throw new HttpError(502, `could not visit SubscribeURL: ${String(error)}`);
  });
  await response.arrayBuffer();
  if (!response.ok) throw new HttpError(502, `SubscribeURL answered ${response.status}`);
}

async function readBody(req: IncomingMessage, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new HttpError(413, `the body exceeds ${maxBytes} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function reply(res: ServerResponse, status: number, text: string): void {
  if (res.headersSent) return;
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8", connection: "close" });
  res.end(`${text}\n`);
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      const address = server.address();
      resolve(typeof address === "object" && address ? address.port : port);
    });
  });
}
