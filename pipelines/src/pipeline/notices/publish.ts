import { PublishCommand, paginateListTopics, SNSClient } from "@aws-sdk/client-sns";
import { alarmTopicNames } from "@platform/env";
import { awsClientConfig, type Target } from "../../image/target.js";
import type { Notice } from "./notice-text.js";

// Sending a notice: to the environment's e-mail topic (the one the team subscribes to, env/src/alarms.ts),
// found by name with ListTopics, never made with CreateTopic: the pipeline's role may publish and list,
// nothing more (infra/aws/src/deploy-role.ts). The local region answers the same calls.

export class NoticeError extends Error {
  override name = "NoticeError";
}

export function snsClient(target: Target): SNSClient {
  if (target.kind === "aws") return new SNSClient(awsClientConfig(target));
  // One attempt locally: a notice that can't be sent is a warning, not worth holding the pipeline for.
  return new SNSClient({ ...awsClientConfig(target), maxAttempts: 1 });
}

export async function findTopicArn(sns: SNSClient, name: string): Promise<string | undefined> {
  for await (const page of paginateListTopics({ client: sns }, {})) {
    const arn = page.Topics?.map((t) => t.TopicArn).find((a) => a?.endsWith(`:${name}`));
    if (arn) return arn;
  }
  return undefined;
}

/** Publishes the notice to its environment's e-mail topic; resolves with the MessageId. */
export async function publishNotice(sns: SNSClient, notice: Notice): Promise<string> {
  const name = alarmTopicNames(notice.environment).emails;
  const arn = await findTopicArn(sns, name).catch((error: Error) => {
    throw new NoticeError(`cannot list SNS topics: ${error.message}`);
  });
  if (!arn)
    throw new NoticeError(`no SNS topic ${name} (the ${notice.environment} environment's e-mail topic)`);
  const sent = await sns
    .send(new PublishCommand({ TopicArn: arn, Subject: notice.subject, Message: notice.message }))
    .catch((error: Error) => {
      throw new NoticeError(`publishing to ${name} failed: ${error.message}`);
    });
  return sent.MessageId ?? "";
}
