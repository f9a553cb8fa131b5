import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  ConfirmSubscriptionCommand,
  CreateTopicCommand,
  DeleteTopicCommand,
  GetSubscriptionAttributesCommand,
  GetTopicAttributesCommand,
  ListSubscriptionsByTopicCommand,
  ListSubscriptionsCommand,
  ListTopicsCommand,
  PublishCommand,
  paginateListTopics,
  SetTopicAttributesCommand,
  SNSClient,
  SubscribeCommand,
  UnsubscribeCommand,
} from "@aws-sdk/client-sns";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsCli, startTestRegion, type TestRegion, waitFor } from "../src/testing/index.js";

// SNS through its SDK client over real HTTP: topics, the confirmation step for e-mail and HTTP
// subscribers, publish fan-out to confirmed subscriptions only, the outbox, and SNS's errors.

interface Received {
  type: string | undefined;
  body: Record<string, string>;
}

let region: TestRegion;
let sns: SNSClient;
let subscriber: Server;
let subscriberUrl: string;
const received: Received[] = [];

beforeAll(async () => {
  region = await startTestRegion();
  sns = region.client(SNSClient);
  subscriber = createServer(async (req, res) => {
    received.push({ type: header(req, "x-amz-sns-message-type"), body: JSON.parse(await text(req)) });
    res.writeHead(200).end();
  });
  subscriberUrl = `${await listenLocal(subscriber)}hook`;
});
afterAll(async () => {
  await region?.cleanup();
  await new Promise((resolve) => subscriber?.close(resolve));
});

/** The server on a free port of 127.0.0.1; its URL, ending in `/`. */
async function listenLocal(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  return `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/`;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

async function text(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

async function errorOf(run: Promise<unknown>): Promise<string> {
  try {
    await run;
  } catch (error) {
    return (error as { name: string }).name;
  }
  return "no error";
}

function outbox(): string[] {
  const dir = join(region.stateDir, "outbox");
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(".eml"))
    .sort()
    .map((f) => readFileSync(join(dir, f), "utf8"));
}

async function createTopic(name: string): Promise<string> {
  return (await sns.send(new CreateTopicCommand({ Name: name }))).TopicArn!;
}

describe("topics", () => {
  it("creates a topic idempotently by name, with attributes and tags, and refuses different ones", async () => {
    const input = {
      Name: "orders",
      Attributes: { DisplayName: "Orders" },
      Tags: [{ Key: "team", Value: "a" }],
    };
    const first = await sns.send(new CreateTopicCommand(input));
    expect(first.TopicArn).toBe("arn:aws:sns:us-east-1:000000000000:orders");
    expect((await sns.send(new CreateTopicCommand(input))).TopicArn).toBe(first.TopicArn);
    expect(
      await errorOf(
        sns.send(new CreateTopicCommand({ Name: "orders", Attributes: { DisplayName: "Other" } })),
      ),
    ).toBe("InvalidParameterException");
    expect(await errorOf(sns.send(new CreateTopicCommand({ Name: "bad name!" })))).toBe(
      "InvalidParameterException",
    );
  });

  it("gets and sets attributes; a Policy is accepted and stored", async () => {
    const arn = await createTopic("attrs");
    const policy = JSON.stringify({ Version: "2012-10-17", Statement: [] });
    await sns.send(
      new SetTopicAttributesCommand({ TopicArn: arn, AttributeName: "Policy", AttributeValue: policy }),
    );
    const { Attributes } = await sns.send(new GetTopicAttributesCommand({ TopicArn: arn }));
    expect(Attributes).toMatchObject({ TopicArn: arn, Owner: "000000000000", Policy: policy });
    expect(
      await errorOf(
        sns.send(
          new SetTopicAttributesCommand({ TopicArn: arn, AttributeName: "Nope", AttributeValue: "x" }),
        ),
      ),
    ).toBe("InvalidParameterException");
  });

  it("lists topics in pages of 100 and deletes them (idempotently)", async () => {
    const names = Array.from({ length: 105 }, (_, i) => `many-${i}`);
    for (const name of names) await createTopic(name);
    const first = await sns.send(new ListTopicsCommand({}));
    expect(first.Topics).toHaveLength(100);
    expect(first.NextToken).toBeDefined();
    const all: string[] = [];
    for await (const page of paginateListTopics({ client: sns }, {}))
      all.push(...page.Topics!.map((t) => t.TopicArn!));
    expect(all.filter((a) => a.includes(":many-"))).toHaveLength(105);
    for (const name of names)
      await sns.send(new DeleteTopicCommand({ TopicArn: `arn:aws:sns:us-east-1:000000000000:${name}` }));
    await sns.send(new DeleteTopicCommand({ TopicArn: "arn:aws:sns:us-east-1:000000000000:many-0" }));
    const after = await sns.send(new ListTopicsCommand({}));
    expect(after.Topics!.some((t) => t.TopicArn!.includes(":many-"))).toBe(false);
    expect(await errorOf(sns.send(new ListTopicsCommand({ NextToken: "garbage" })))).toBe(
      "InvalidParameterException",
    );
  });

  it("answers SNS's errors: NotFound, AuthorizationError", async () => {
    const missing = "arn:aws:sns:us-east-1:000000000000:missing";
    expect(await errorOf(sns.send(new GetTopicAttributesCommand({ TopicArn: missing })))).toBe(
      "NotFoundException",
    );
    expect(await errorOf(sns.send(new PublishCommand({ TopicArn: missing, Message: "x" })))).toBe(
      "NotFoundException",
    );
    expect(
      await errorOf(
        sns.send(new GetTopicAttributesCommand({ TopicArn: "arn:aws:sns:us-east-1:111111111111:t" })),
      ),
    ).toBe("AuthorizationErrorException");
    expect(
      await errorOf(
        sns.send(
          new GetSubscriptionAttributesCommand({
            SubscriptionArn: `${missing}:00000000-0000-0000-0000-000000000000`,
          }),
        ),
      ),
    ).toBe("NotFoundException");
  });
});

describe("subscriptions", () => {
  it("an HTTP subscriber gets a SubscriptionConfirmation, confirms by visiting SubscribeURL, then gets notifications", async () => {
    const arn = await createTopic("http-topic");
    const sub = await sns.send(
      new SubscribeCommand({
        TopicArn: arn,
        Protocol: "http",
        Endpoint: subscriberUrl,
        ReturnSubscriptionArn: true,
      }),
    );
    expect(sub.SubscriptionArn).toMatch(/^arn:aws:sns:us-east-1:000000000000:http-topic:/);
    const confirmation = await waitFor(
      "the HTTP delivery",
      () => received.find((r) => r.body.TopicArn === arn),
      10_000,
    );
    expect(confirmation.type).toBe("SubscriptionConfirmation");
    expect(confirmation.body).toMatchObject({ Type: "SubscriptionConfirmation", TopicArn: arn });
    expect(confirmation.body.Token).toBeTruthy();

    const pending = await sns.send(
      new GetSubscriptionAttributesCommand({ SubscriptionArn: sub.SubscriptionArn }),
    );
    expect(pending.Attributes?.PendingConfirmation).toBe("true");
    const listed = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: arn }));
    expect(listed.Subscriptions?.[0]?.SubscriptionArn).toBe("PendingConfirmation");

    await sns.send(new PublishCommand({ TopicArn: arn, Message: "before confirming" }));
    const visited = await fetch(confirmation.body.SubscribeURL!);
    expect(visited.status).toBe(200);
    expect(await visited.text()).toContain(sub.SubscriptionArn);

    const published = await sns.send(
      new PublishCommand({
        TopicArn: arn,
        Subject: "Hello",
        Message: "after confirming",
        MessageAttributes: { kind: { DataType: "String", StringValue: "greeting" } },
      }),
    );
    const note = await waitFor(
      "the HTTP delivery",
      () => received.find((r) => r.body.MessageId === published.MessageId),
      10_000,
    );
    expect(note.type).toBe("Notification");
    expect(note.body).toMatchObject({
      Type: "Notification",
      TopicArn: arn,
      Subject: "Hello",
      Message: "after confirming",
    });
    expect(note.body.MessageAttributes).toEqual({ kind: { Type: "String", Value: "greeting" } });
    expect(received.filter((r) => r.body.Message === "before confirming")).toEqual([]);

    const confirmed = await sns.send(new ListSubscriptionsCommand({}));
    expect(confirmed.Subscriptions?.map((s) => s.SubscriptionArn)).toContain(sub.SubscriptionArn);
    await sns.send(new UnsubscribeCommand({ SubscriptionArn: sub.SubscriptionArn }));
    expect(
      await errorOf(sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: sub.SubscriptionArn }))),
    ).toBe("NotFoundException");
  });

  it("an e-mail subscription is confirmed with the token from the confirmation e-mail; notifications land in the outbox", async () => {
    const arn = await createTopic("mail-topic");
    const sub = await sns.send(
      new SubscribeCommand({ TopicArn: arn, Protocol: "email", Endpoint: "ops@example.com" }),
    );
    expect(sub.SubscriptionArn).toBe("pending confirmation");
    const mail = await waitFor("the e-mail", () => outbox().find((m) => m.includes(arn)), 10_000);
    expect(mail).toMatch(/^From: .*<no-reply@sns\.amazonaws\.com>\r\n/);
    expect(mail).toContain("To: ops@example.com\r\n");
    expect(mail).toMatch(/\r\nSubject: AWS Notification - Subscription Confirmation\r\n/);
    expect(mail).toMatch(/\r\nDate: .+\r\n/);
    expect(mail).toMatch(/\r\nMessage-ID: <.+@sns\.amazonaws\.com>\r\n/);
    const token = new URL(/(http:\/\/\S+)/.exec(mail)![1]!).searchParams.get("Token")!;

    await sns.send(new PublishCommand({ TopicArn: arn, Message: "nobody hears this" }));
    expect(
      await errorOf(sns.send(new ConfirmSubscriptionCommand({ TopicArn: arn, Token: "not-the-token" }))),
    ).toBe("InvalidParameterException");
    const confirmed = await sns.send(new ConfirmSubscriptionCommand({ TopicArn: arn, Token: token }));
    expect(confirmed.SubscriptionArn).toMatch(/^arn:aws:sns:us-east-1:000000000000:mail-topic:/);

    await sns.send(new PublishCommand({ TopicArn: arn, Subject: "Deployed", Message: "v2 is live" }));
    const note = await waitFor("the e-mail", () => outbox().find((m) => m.includes("v2 is live")), 10_000);
    expect(note).toContain("\r\nSubject: Deployed\r\n");
    expect(outbox().some((m) => m.includes("nobody hears this"))).toBe(false);
  });

  it("refuses unsupported protocols and endpoints that do not match", async () => {
    const arn = await createTopic("bad-subs");
    for (const [Protocol, Endpoint] of [
      ["sms", "+15555550100"],
      ["email", "not-an-address"],
      ["https", "http://127.0.0.1/hook"],
    ]) {
      expect(await errorOf(sns.send(new SubscribeCommand({ TopicArn: arn, Protocol, Endpoint })))).toBe(
        "InvalidParameterException",
      );
    }
  });

  it("an HTTP subscriber that confirms with ConfirmSubscription, and fails once, still gets its notification", async () => {
    let failures = 1;
    const flaky = createServer(async (req, res) => {
      const body = JSON.parse(await text(req)) as Record<string, string>;
      if (body.Type === "Notification" && failures-- > 0) return void res.writeHead(500).end();
      received.push({ type: header(req, "x-amz-sns-message-type"), body });
      res.writeHead(200).end();
    });
    const url = await listenLocal(flaky);
    try {
      const arn = await createTopic("flaky-topic");
      await sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: "http", Endpoint: url }));
      const confirmation = await waitFor("the confirmation", () =>
        received.find((r) => r.body.TopicArn === arn),
      );
      await sns.send(new ConfirmSubscriptionCommand({ TopicArn: arn, Token: confirmation.body.Token! }));
      const { MessageId } = await sns.send(new PublishCommand({ TopicArn: arn, Message: "retried" }));
      const note = await waitFor("the retried delivery", () =>
        received.find((r) => r.body.MessageId === MessageId),
      );
      expect(note.body.Message).toBe("retried");
      expect(failures).toBe(-1);
    } finally {
      await new Promise((resolve) => flaky.close(resolve));
    }
  });

  it("email-json subscribers get the notification as AWS's JSON body", async () => {
    const arn = await createTopic("json-mail");
    await sns.send(
      new SubscribeCommand({ TopicArn: arn, Protocol: "email-json", Endpoint: "j@example.com" }),
    );
    const mail = await waitFor("the confirmation e-mail", () =>
      outbox().find((m) => m.includes(`"TopicArn": "${arn}"`)),
    );
    const token = JSON.parse(mail.split("\r\n\r\n")[1]!).Token as string;
    await sns.send(new ConfirmSubscriptionCommand({ TopicArn: arn, Token: token }));
    const { MessageId } = await sns.send(new PublishCommand({ TopicArn: arn, Message: "as json" }));
    const note = await waitFor("the JSON e-mail", () => outbox().find((m) => m.includes(MessageId!)));
    expect(JSON.parse(note.split("\r\n\r\n")[1]!)).toMatchObject({
      Type: "Notification",
      Message: "as json",
    });
  });
});

describe("durable state", () => {
  it("keeps topics and confirmed subscriptions across a restart", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sns-restart-"));
    try {
      const first = await startTestRegion([], dir);
      const client = first.client(SNSClient);
      const arn = (await client.send(new CreateTopicCommand({ Name: "durable" }))).TopicArn!;
      await client.send(
        new SubscribeCommand({ TopicArn: arn, Protocol: "email", Endpoint: "d@example.com" }),
      );
      // The e-mail's token, read where the region keeps it.
      const stored = JSON.parse(readFileSync(join(dir, "state", "sns.json"), "utf8")).subscriptions;
      const pending = Object.values(stored)[0] as { token: string };
      const { SubscriptionArn } = await client.send(
        new ConfirmSubscriptionCommand({ TopicArn: arn, Token: pending.token }),
      );
      await first.cleanup();

      const second = await startTestRegion([], dir);
      try {
        const again = second.client(SNSClient);
        const topics = await again.send(new ListTopicsCommand({}));
        expect(topics.Topics?.map((t) => t.TopicArn)).toEqual([arn]);
        const sub = await again.send(new GetSubscriptionAttributesCommand({ SubscriptionArn }));
        expect(sub.Attributes).toMatchObject({ PendingConfirmation: "false", Endpoint: "d@example.com" });
      } finally {
        await second.cleanup();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("AWS CLI", () => {
  const aws = (...args: string[]) => awsCli({ endpoint: region.endpoint, env: region.awsEnv() }, ...args);

  // Three CLI processes (Python start-up each): seconds on a loaded 2-core machine, not a 5 s unit test.
  it("create-topic, list-topics, publish", { timeout: 60_000 }, async () => {
    const created = (await aws("sns", "create-topic", "--name", "cli-topic")) as { TopicArn: string };
    expect(created.TopicArn).toBe("arn:aws:sns:us-east-1:000000000000:cli-topic");
    const listed = (await aws("sns", "list-topics")) as { Topics: { TopicArn: string }[] };
    expect(listed.Topics.map((t) => t.TopicArn)).toContain(created.TopicArn);
    const published = (await aws(
      "sns",
      "publish",
      "--topic-arn",
      created.TopicArn,
      "--message",
      "from the CLI",
      "--message-attributes",
      '{"k":{"DataType":"String","StringValue":"v"}}',
    )) as { MessageId: string };
    expect(published.MessageId).toMatch(/^[0-9a-f-]{36}$/);
  });
});
