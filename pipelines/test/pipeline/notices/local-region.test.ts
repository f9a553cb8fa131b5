import {
  ConfirmSubscriptionCommand,
  CreateTopicCommand,
  SNSClient,
  SubscribeCommand,
} from "@aws-sdk/client-sns";
import { alarmTopicNames } from "@platform/env";
import { readOutbox, startTestRegion, type TestRegion, waitFor } from "@platform/local-region/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { qaReadyNotice } from "../../../src/pipeline/notices/notice-text.js";
import { publishNotice, snsClient } from "../../../src/pipeline/notices/publish.js";

// A real local region (in this process): the team's confirmed e-mail subscription on qa's e-mail
// topic, and the qa-ready notice arriving in the outbox through the pipeline's own SNS client.

let region: TestRegion;
beforeAll(async () => {
  region = await startTestRegion();
});
afterAll(async () => region?.cleanup());

describe("notices on the local region", () => {
  it("arrive as e-mail to the confirmed subscriber of the environment's e-mail topic", async () => {
    const admin = region.client(SNSClient);
    const { TopicArn } = await admin.send(new CreateTopicCommand({ Name: alarmTopicNames("qa").emails }));
    await admin.send(new SubscribeCommand({ TopicArn, Protocol: "email", Endpoint: "team@example.com" }));
    const confirmation = await waitFor("the confirmation e-mail", () =>
      readOutbox(region.stateDir).find((m) => m.body.includes(TopicArn!)),
    );
    const token = new URL(/(http:\/\/\S+)/.exec(confirmation.body)![1]!).searchParams.get("Token")!;
    await admin.send(new ConfirmSubscriptionCommand({ TopicArn, Token: token }));

    const sns = snsClient({
      kind: "local",
      endpoint: region.endpoint,
      region: "us-east-1",
      stateDir: region.stateDir,
      credentialsFile: region.credentials.credentialsFile,
      configFile: region.credentials.configFile,
      profile: "local",
    });
    const notice = qaReadyNotice({
      commit: "0123456789abcdef0123456789abcdef01234567",
      firstSubject: "Faster thumbnails",
      qaUrl: "http://qa.localhost:8080",
      changes: { kind: "unknown", reason: "prod serves nothing" },
    });
    await publishNotice(sns, notice);
    const mail = await waitFor("the notice", () =>
      readOutbox(region.stateDir).find((m) => m.subject === "qa ready: 0123456789ab Faster thumbnails"),
    );
    expect(mail.to).toBe("team@example.com");
    expect(mail.body).toContain("http://qa.localhost:8080");

    // prod's topic does not exist in this region: the notice fails with its name, nothing is created.
    await expect(publishNotice(sns, { ...notice, environment: "prod" })).rejects.toThrow(
      `no SNS topic ${alarmTopicNames("prod").emails}`,
    );
  });
});
