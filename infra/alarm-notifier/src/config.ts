import { z } from "zod";

// What the notifier is told by whoever deploys it (the Pulumi program, npm start): its environment,
// where the e-mail goes, and for alarms not on a log metric filter where their log lines are.

export const notifierConfig = z.strictObject({
  environment: z.string().min(1),
  emailTopicArn: z.string().regex(/^arn:[\w-]+:sns:[\w-]+:\d{12}:[\w-]{1,256}$/, "an SNS topic ARN"),
  /** Alarm name → log group and pattern; alarms on a log metric filter are looked up instead. */
  logLines: z.record(z.string(), z.strictObject({ logGroupName: z.string(), filterPattern: z.string() })),
  /**
   * The environment's log groups: metric filters are looked up in each, so the notifier's role needs
   * DescribeMetricFilters on these groups only. Empty: one lookup across the account.
   */
  logGroupNames: z.array(z.string().min(1)).default([]),
  /** How many of the most recent matching lines the e-mail quotes. */
  maxLines: z.number().int().min(1).max(100).default(20),
});

export type NotifierConfig = z.input<typeof notifierConfig>;
export type ParsedNotifierConfig = z.output<typeof notifierConfig>;

/** The Lambda environment variable that carries the configuration as JSON. */
export const CONFIG_VARIABLE = "NOTIFIER_CONFIG";

export function parseConfig(json: string | undefined): ParsedNotifierConfig {
  if (!json) throw new Error(`${CONFIG_VARIABLE} is not set`);
  const parsed = notifierConfig.safeParse(JSON.parse(json));
  if (!parsed.success) throw new Error(`${CONFIG_VARIABLE} is invalid: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}
