import {
  type CloudWatchLogsClient,
  DescribeMetricFiltersCommand,
  type DescribeMetricFiltersCommandInput,
  FilterLogEventsCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { PublishCommand, type SNSClient } from "@aws-sdk/client-sns";
import type { LogLines } from "@platform/env";
import type { ParsedNotifierConfig } from "./config.js";
import {
  type Email,
  formatEmail,
  type LogExcerpt,
  type LogLine,
  type LogWindow,
  worthAnEmail,
} from "./format.js";
import { type AlarmNotification, parseAwsTime } from "./message.js";

// The notifier's I/O around the formatter: find the log lines behind the alarm, read the most recent
// of them, publish the e-mail to the e-mail topic. A log it can't read makes a poorer e-mail, never
// no e-mail.

export interface NotifierClients {
  logs: CloudWatchLogsClient;
  sns: SNSClient;
}

export interface Notified extends Email {
  messageId: string | undefined;
}

export interface Skipped {
  skipped: string;
}

/** FilterLogEvents pages read at most, so an alarm on a very busy log still e-mails quickly. */
const MAX_PAGES = 10;

export async function notify(
  alarm: AlarmNotification,
  config: ParsedNotifierConfig,
  clients: NotifierClients,
): Promise<Notified | Skipped> {
  if (!worthAnEmail(alarm)) return { skipped: `${alarm.AlarmName}: ${alarm.OldStateValue} -> OK is no news` };
  const logs = await readLogExcerpt(alarm, config, clients.logs);
  const email = formatEmail(alarm, config.environment, logs);
  const published = await clients.sns.send(
    new PublishCommand({ TopicArn: config.emailTopicArn, Subject: email.subject, Message: email.body }),
  );
  return { ...email, messageId: published.MessageId };
}

/**
 * The evaluation window that ended at the state change, one period wider at the start: a metric
 * filter's datapoint is published a little after the lines it counts.
 */
export function evaluationWindow(alarm: AlarmNotification): LogWindow {
  const end = parseAwsTime(alarm.StateChangeTime);
  const t = alarm.Trigger;
  return { start: end - (t.EvaluationPeriods + 1) * t.Period * 1000, end };
}

async function readLogExcerpt(
  alarm: AlarmNotification,
  config: ParsedNotifierConfig,
  logs: CloudWatchLogsClient,
): Promise<LogExcerpt> {
  const window = evaluationWindow(alarm);
  let source: LogLines | undefined;
  try {
    source =
      config.logLines[alarm.AlarmName] ?? (await metricFilterSource(alarm, config.logGroupNames, logs));
    if (!source) return { kind: "none" };
    const lines = await lastLines(logs, source, window, config.maxLines);
    return { kind: "lines", source, window, lines };
  } catch (error) {
    return { kind: "unavailable", source, window, reason: errorText(error) };
  }
}

/** The group and pattern of the metric filter that publishes the alarm's metric, if one does. */
async function metricFilterSource(
  alarm: AlarmNotification,
  groups: string[],
  logs: CloudWatchLogsClient,
): Promise<LogLines | undefined> {
  const metric = { metricName: alarm.Trigger.MetricName, metricNamespace: alarm.Trigger.Namespace };
  for (const logGroupName of groups.length ? groups : [undefined]) {
    const metricFilters = await filtersIn(logs, { logGroupName, ...metric });
    const filter = metricFilters.find((f) => f.logGroupName && f.filterPattern !== undefined);
    if (filter) return { logGroupName: filter.logGroupName!, filterPattern: filter.filterPattern! };
  }
  return undefined;
}

/** A group that doesn't exist (yet) has no filters, rather than failing the lookup in the others. */
async function filtersIn(logs: CloudWatchLogsClient, input: DescribeMetricFiltersCommandInput) {
  try {
    return (await logs.send(new DescribeMetricFiltersCommand(input))).metricFilters ?? [];
  } catch (error) {
    if (input.logGroupName && (error as Error).name === "ResourceNotFoundException") return [];
    throw error;
  }
}

/** FilterLogEvents answers oldest first: read forward through the window and keep the newest `max`. */
async function lastLines(
  logs: CloudWatchLogsClient,
  source: LogLines,
  window: LogWindow,
  max: number,
): Promise<LogLine[]> {
  const kept: LogLine[] = [];
  let nextToken: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const answer = await logs.send(
      new FilterLogEventsCommand({
        logGroupName: source.logGroupName,
        filterPattern: source.filterPattern,
        startTime: window.start,
        endTime: window.end,
        nextToken,
      }),
    );
    for (const e of answer.events ?? []) kept.push({ timestamp: e.timestamp ?? 0, message: e.message ?? "" });
    kept.splice(0, Math.max(0, kept.length - max));
    nextToken = answer.nextToken;
    if (!nextToken) break;
  }
  return kept;
}

function errorText(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
