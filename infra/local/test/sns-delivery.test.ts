import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { HttpDelivery } from "../src/services/sns/deliveries.js";
import { Deliverer } from "../src/services/sns/delivery.js";
import { waitFor } from "../src/testing/index.js";
import { SMTP_PASSWORD, SMTP_USER, startSmtpServer } from "./smtp-fixture.js";

// SNS's delivery runtime alone: bounded HTTP retries, a stop that cuts retries short, the outbox,
// e-mail over a real SMTP server.

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function deliverer(log: string[] = []) {
  const dir = mkdtempSync(join(tmpdir(), "sns-delivery-"));
  const d = new Deliverer({ outboxDir: join(dir, "outbox"), log: (m) => log.push(m), retryDelayMs: 10 });
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  cleanups.push(() => d.stop());
  return { d, outbox: join(dir, "outbox") };
}

async function failingSubscriber(status: number): Promise<{ url: string; hits: () => number }> {
  let hits = 0;
  const server: Server = createServer((_req, res) => {
    hits++;
    res.writeHead(status).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
  const address = server.address();
  return {
    url: `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/`,
    hits: () => hits,
  };
}

function notification(url: string): HttpDelivery {
  return {
    kind: "http",
    url,
    messageType: "Notification",
    topicArn: "arn:aws:sns:us-east-1:000000000000:t",
    body: { Type: "Notification", MessageId: "m-1", Message: "hi" },
  };
}

describe("SNS delivery", () => {
  it("tries a failing HTTP subscriber three times, then gives up and says so", async () => {
    const log: string[] = [];
    const { d } = deliverer(log);
    const subscriber = await failingSubscriber(500);
    d.send([notification(subscriber.url)]);
    await waitFor("the give-up", () => log.find((m) => m.includes("gave up")));
    expect(subscriber.hits()).toBe(3);
  });

  it("stop() ends the retries of a delivery that keeps failing", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sns-delivery-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const d = new Deliverer({ outboxDir: dir, log: () => {}, retryDelayMs: 60_000 });
    const subscriber = await failingSubscriber(503);
    d.send([notification(subscriber.url)]);
    await waitFor("the first attempt", () => subscriber.hits() === 1);
    const started = Date.now();
    await d.stop();
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(subscriber.hits()).toBe(1);
  });

  it("writes each e-mail as a whole .eml file in the outbox, no temp file left", async () => {
    const { d, outbox } = deliverer();
    const mail = {
      kind: "email" as const,
      to: "a@example.com",
      subject: "S",
      body: "hello\n",
      messageId: "m-1",
    };
    d.send([mail, { ...mail, messageId: "m-2" }]);
    await waitFor("two e-mails", () => readdirSync(outbox).length === 2);
    const files = readdirSync(outbox).sort();
    expect(files.every((f) => f.endsWith(".eml"))).toBe(true);
    expect(readFileSync(join(outbox, files[0]!), "utf8")).toContain("\r\n\r\nhello\r\n");
  });
});

describe("SNS e-mail over SMTP", () => {
  function smtpDeliverer(port: number, log: string[]) {
    const dir = mkdtempSync(join(tmpdir(), "sns-smtp-"));
    const d = new Deliverer({
      outboxDir: join(dir, "outbox"),
      log: (m) => log.push(m),
      retryDelayMs: 10,
      smtp: {
        host: "127.0.0.1",
        port,
        from: "Platform alarms <alarms@example.test>",
        auth: { user: SMTP_USER, pass: SMTP_PASSWORD },
      },
    });
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    cleanups.push(() => d.stop());
    return { d, outbox: join(dir, "outbox") };
  }
  const mail = {
    kind: "email" as const,
    to: "ops@example.test",
    subject: 'ALARM: "api-qa-5xx" in US East (N. Virginia)',
    body: "the body\n",
    messageId: "m-9",
  };

  it("a refused message is retried with backoff until the server takes it; the log never shows the password", async () => {
    const server = await startSmtpServer(2);
    cleanups.push(() => server.close());
    const log: string[] = [];
    const { d, outbox } = smtpDeliverer(server.port, log);
    d.send([mail]);
    const got = await waitFor("the mail", () => server.received[0], 10_000);
    expect(got.from).toBe("alarms@example.test");
    expect(got.to).toEqual(["ops@example.test"]);
    expect(got.raw).toContain(`Subject: ${mail.subject}`);
    expect(got.raw).toContain("From: Platform alarms <alarms@example.test>");
    expect(server.attempts()).toBe(3);
    expect(log.filter((m) => m.includes("failed (attempt"))).toHaveLength(2);
    expect(log.join("\n")).toContain(`smtp://${SMTP_USER}@127.0.0.1:${server.port}`);
    expect(log.join("\n")).not.toContain(SMTP_PASSWORD);
    expect(readdirSync(outbox)).toEqual([]);
  });

  it("an unreachable server: the retries give up, logged, and nothing lands in the outbox instead", async () => {
    const server = await startSmtpServer();
    const port = server.port;
    await server.close();
    const log: string[] = [];
    const { d, outbox } = smtpDeliverer(port, log);
    d.send([mail]);
    await waitFor("the give-up", () => log.find((m) => m.includes("gave up")), 15_000);
    expect(log.filter((m) => m.includes("failed (attempt"))).toHaveLength(5);
    expect(log.join("\n")).not.toContain(SMTP_PASSWORD);
    expect(readdirSync(outbox)).toEqual([]);
  });
});
