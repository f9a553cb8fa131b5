import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  CloudWatchClient,
  DescribeAlarmHistoryCommand,
  DisableAlarmActionsCommand,
  EnableAlarmActionsCommand,
  PutMetricAlarmCommand,
  type PutMetricAlarmInput,
  PutMetricDataCommand,
  SetAlarmStateCommand,
} from "@aws-sdk/client-cloudwatch";
import {
  ConfirmSubscriptionCommand,
  CreateTopicCommand,
  SNSClient,
  SubscribeCommand,
} from "@aws-sdk/client-sns";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { smtpFromUrl } from "../src/services/sns/smtp.js";
import {
  type Backend,
  sleep,
  startBackend,
  startTestRegion,
  type TestRegion,
  waitFor,
} from "../src/testing/index.js";
import { SMTP_PASSWORD, SMTP_USER, startSmtpServer, type TestSmtpServer } from "./smtp-fixture.js";

// Alarm actions end to end, through the SDK over real HTTP: a state change publishes CloudWatch's
// notification to the SNS topics of the new state's actions, which an e-mail subscriber gets as a
// .eml file (or over a real SMTP server) and an HTTP subscriber as a POST; DisableAlarmActions stops
// them; a topic that does not exist leaves a failed Action item in the alarm's history.

const TOPIC = "arn:aws:sns:us-east-1:000000000000:platform-alarm-emails-qa";
const MISSING = "arn:aws:sns:us-east-1:000000000000:no-such-topic";

const alarm = (name: string, extra: Partial<PutMetricAlarmInput> = {}): PutMetricAlarmInput => ({
  AlarmName: name,
  Namespace: "AWS/ApplicationELB",
  MetricName: "HTTPCode_Target_5XX_Count",
  Dimensions: [{ Name: "LoadBalancer", Value: "app/platform/0123456789abcdef" }],
  Statistic: "Sum",
  Period: 60,
  EvaluationPeriods: 1,
  Threshold: 5,
  ComparisonOperator: "GreaterThanOrEqualToThreshold",
  AlarmActions: [TOPIC, MISSING],
  OKActions: [TOPIC],
  ...extra,
});

interface Posted {
  type: string | undefined;
  body: { Type: string; Subject?: string; Message: string; Token?: string; SubscribeURL?: string };
}

async function subscribeHttp(sns: SNSClient, posted: Posted[], url: string): Promise<void> {
  await sns.send(new SubscribeCommand({ TopicArn: TOPIC, Protocol: "http", Endpoint: url }));
  const confirmation = await waitFor("the HTTP confirmation", () =>
    posted.find((p) => p.body.Type === "SubscriptionConfirmation"),
  );
  await sns.send(new ConfirmSubscriptionCommand({ TopicArn: TOPIC, Token: confirmation.body.Token! }));
}

/** Subscribes an address and confirms it with the token of the confirmation e-mail `mails()` finds. */
async function subscribeEmail(sns: SNSClient, to: string, mails: () => string[]): Promise<void> {
  await sns.send(new SubscribeCommand({ TopicArn: TOPIC, Protocol: "email", Endpoint: to }));
  const mail = await waitFor(
    "the confirmation e-mail",
    () => mails().find((m) => m.includes("Token=")),
    10_000,
  );
  const token = new URL(/(http:\/\/\S+)/.exec(mail)![1]!).searchParams.get("Token")!;
  await sns.send(new ConfirmSubscriptionCommand({ TopicArn: TOPIC, Token: token }));
}

describe("alarm actions to the outbox and an HTTP subscriber", () => {
  let region: TestRegion;
  let cw: CloudWatchClient;
  let sns: SNSClient;
  let hook: Backend;
  const posted: Posted[] = [];
  const outbox = () => {
    const dir = join(region.stateDir, "outbox");
    if (!existsSync(dir)) return [];
    return readdirSync(dir)
      .sort()
      .map((f) => readFileSync(join(dir, f), "utf8"));
  };

  beforeAll(async () => {
    region = await startTestRegion();
    cw = region.client(CloudWatchClient);
    sns = region.client(SNSClient);
    hook = await startBackend((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const type = req.headers["x-amz-sns-message-type"];
        posted.push({
          type: Array.isArray(type) ? type[0] : type,
          body: JSON.parse(Buffer.concat(chunks).toString()),
        });
        res.writeHead(200).end();
      });
    });
    await sns.send(new CreateTopicCommand({ Name: "platform-alarm-emails-qa" }));
    await subscribeEmail(sns, "ops@example.test", outbox);
    await subscribeHttp(sns, posted, `http://127.0.0.1:${hook.port}/alarms`);
  });
  afterAll(async () => {
    await region?.cleanup();
    await hook?.close();
  });

  it("SetAlarmState to ALARM: the e-mail and the POST carry AWS's subject and Message; the missing topic fails its action only", async () => {
    await cw.send(new PutMetricAlarmCommand(alarm("api-qa-5xx", { AlarmDescription: "qa answers 5xx" })));
    await cw.send(
      new SetAlarmStateCommand({
        AlarmName: "api-qa-5xx",
        StateValue: "ALARM",
        StateReason: "testing the actions",
      }),
    );
    const subject = 'ALARM: "api-qa-5xx" in US East (N. Virginia)';
    const mail = await waitFor(
      "the alarm e-mail",
      () => outbox().find((m) => m.includes(`Subject: ${subject}`)),
      10_000,
    );
    expect(mail).toContain('"NewStateValue":"ALARM"');
    const post = await waitFor("the alarm POST", () => posted.find((p) => p.body.Subject === subject));
    expect(post.type).toBe("Notification");
    expect(JSON.parse(post.body.Message)).toMatchObject({
      AlarmName: "api-qa-5xx",
      AlarmDescription: "qa answers 5xx",
      NewStateValue: "ALARM",
      OldStateValue: "INSUFFICIENT_DATA",
      NewStateReason: "testing the actions",
      Region: "US East (N. Virginia)",
      AlarmArn: "arn:aws:cloudwatch:us-east-1:000000000000:alarm:api-qa-5xx",
      Trigger: { MetricName: "HTTPCode_Target_5XX_Count", Statistic: "SUM", Threshold: 5 },
    });

    const history = await cw.send(
      new DescribeAlarmHistoryCommand({ AlarmName: "api-qa-5xx", HistoryItemType: "Action" }),
    );
    expect(history.AlarmHistoryItems?.map((h) => h.HistorySummary).sort()).toEqual([
      `Failed to execute action ${MISSING}. Received error: "Topic does not exist"`,
      `Successfully executed action ${TOPIC}`,
    ]);
  });

  it("DisableAlarmActions: the state still changes, nobody is told; EnableAlarmActions: the OK action runs again", async () => {
    // "ignore": the evaluator, which finds no data, keeps the states set here by hand.
    await cw.send(new PutMetricAlarmCommand(alarm("api-qa-errors", { TreatMissingData: "ignore" })));
    await cw.send(new DisableAlarmActionsCommand({ AlarmNames: ["api-qa-errors"] }));
    await cw.send(
      new SetAlarmStateCommand({ AlarmName: "api-qa-errors", StateValue: "ALARM", StateReason: "muted" }),
    );
    await sleep(500);
    expect(outbox().some((m) => m.includes('"api-qa-errors"'))).toBe(false);
    expect(posted.some((p) => p.body.Subject?.includes('"api-qa-errors"'))).toBe(false);

    await cw.send(new EnableAlarmActionsCommand({ AlarmNames: ["api-qa-errors"] }));
    await cw.send(
      new SetAlarmStateCommand({ AlarmName: "api-qa-errors", StateValue: "OK", StateReason: "calm" }),
    );
    const ok = await waitFor("the OK POST", () =>
      posted.find((p) => p.body.Subject === 'OK: "api-qa-errors" in US East (N. Virginia)'),
    );
    expect(JSON.parse(ok.body.Message)).toMatchObject({ NewStateValue: "OK", OldStateValue: "ALARM" });
  });

  it("the evaluator's own transition runs the actions: a 10-second alarm over breaching data", async () => {
    await cw.send(
      new PutMetricAlarmCommand(
        alarm("api-qa-job-failures", {
          Namespace: "Platform/Api",
          MetricName: "JobFailures",
          Dimensions: [],
          Period: 10,
          Threshold: 1,
        }),
      ),
    );
    await cw.send(
      new PutMetricDataCommand({
        Namespace: "Platform/Api",
        MetricData: [{ MetricName: "JobFailures", Value: 3, StorageResolution: 1 }],
      }),
    );
    const post = await waitFor(
      "the evaluated ALARM",
      () => posted.find((p) => p.body.Subject === 'ALARM: "api-qa-job-failures" in US East (N. Virginia)'),
      30_000,
    );
    expect(JSON.parse(post.body.Message).NewStateReason).toMatch(/^Threshold Crossed: 1 datapoint \[3\.0 /);
  }, 40_000);
});

describe("alarm actions over SMTP", () => {
  let region: TestRegion;
  let smtp: TestSmtpServer;
  const log: string[] = [];

  beforeAll(async () => {
    smtp = await startSmtpServer();
    region = await startTestRegion([], undefined, {
      smtp: {
        host: "127.0.0.1",
        port: smtp.port,
        from: "Platform alarms <alarms@example.test>",
        auth: { user: SMTP_USER, pass: SMTP_PASSWORD },
      },
      log: (m) => log.push(m),
    });
  });
  afterAll(async () => {
    await region?.cleanup();
    await smtp?.close();
  });

  it("the confirmation and the alarm e-mail go to the SMTP server, nothing to the outbox", async () => {
    const cw = region.client(CloudWatchClient);
    const sns = region.client(SNSClient);
    await sns.send(new CreateTopicCommand({ Name: "platform-alarm-emails-qa" }));
    await subscribeEmail(sns, "ops@example.test", () => smtp.received.map((m) => m.raw));
    await cw.send(new PutMetricAlarmCommand(alarm("api-qa-5xx", { AlarmActions: [TOPIC] })));
    await cw.send(
      new SetAlarmStateCommand({ AlarmName: "api-qa-5xx", StateValue: "ALARM", StateReason: "over SMTP" }),
    );
    const mail = await waitFor("the alarm e-mail", () =>
      smtp.received.find((m) => m.raw.includes('Subject: ALARM: "api-qa-5xx" in US East (N. Virginia)')),
    );
    expect(mail).toMatchObject({ from: "alarms@example.test", to: ["ops@example.test"] });
    expect(mail.raw).toContain('"NewStateReason":"over SMTP"');
    expect(readdirSync(join(region.stateDir, "outbox"))).toEqual([]);
    expect(log.join("\n")).toContain(`SNS e-mail goes out over smtp://${SMTP_USER}@127.0.0.1:${smtp.port}`);
    expect(log.join("\n")).not.toContain(SMTP_PASSWORD);
  });

  it("LOCAL_REGION_SMTP_URL's form: smtp[s]://user:pass@host:port?from=address", () => {
    expect(smtpFromUrl("smtp://a%40b:p%3Ass@mail.test:2525?from=alarms@example.test")).toEqual({
      host: "mail.test",
      port: 2525,
      secure: false,
      from: "alarms@example.test",
      auth: { user: "a@b", pass: "p:ss" },
    });
    expect(smtpFromUrl("smtps://mail.test?from=x@y.test")).toMatchObject({ port: 465, secure: true });
    expect(smtpFromUrl("")).toBeUndefined();
    expect(() => smtpFromUrl("smtp://mail.test")).toThrow("the sender is missing (?from=address)");
    expect(() => smtpFromUrl("http://mail.test?from=x@y")).toThrow("smtp:// or smtps:// expected");
  });
});
