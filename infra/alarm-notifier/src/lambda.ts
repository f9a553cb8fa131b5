import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { SNSClient } from "@aws-sdk/client-sns";
import { z } from "zod";
import { CONFIG_VARIABLE, parseConfig } from "./config.js";
import { type Notified, type NotifierClients, notify, type Skipped } from "./handler.js";
import { parseAlarmMessage, snsLambdaEvent } from "./message.js";

// The notifier on AWS: Lambda calls `handler` with the SNS event of the alarm topic. Region and
// credentials come from the Lambda environment; the configuration from NOTIFIER_CONFIG.

let clients: NotifierClients | undefined;

/** One e-mail per record; a record that isn't an alarm notification fails the invocation, as it should. */
export async function handler(event: unknown): Promise<{ sent: (Notified | Skipped)[] }> {
  const parsed = snsLambdaEvent.safeParse(event);
  if (!parsed.success) throw new Error(`not an SNS event: ${z.prettifyError(parsed.error)}`);
  const config = parseConfig(process.env[CONFIG_VARIABLE]);
  clients ??= { logs: new CloudWatchLogsClient({}), sns: new SNSClient({}) };
  const sent: (Notified | Skipped)[] = [];
  for (const record of parsed.data.Records) {
    sent.push(await notify(parseAlarmMessage(record.Sns.Message), config, clients));
  }
  return { sent };
}
