import { z } from "zod";

// What arrives: the JSON CloudWatch puts in an alarm's SNS message, inside either a Lambda SNS event or
// an SNS HTTP(S) delivery. Only the fields the e-mail uses are required; the rest pass through, since
// CloudWatch adds fields over time.

const STATES = ["OK", "ALARM", "INSUFFICIENT_DATA"] as const;

const dimension = z.looseObject({ name: z.string(), value: z.string() });

const trigger = z.looseObject({
  MetricName: z.string(),
  Namespace: z.string(),
  StatisticType: z.string().optional(),
  Statistic: z.string().nullish(),
  ExtendedStatistic: z.string().nullish(),
  Unit: z.string().nullish(),
  Dimensions: z.array(dimension).default([]),
  Period: z.number().int().positive(),
  EvaluationPeriods: z.number().int().positive(),
  DatapointsToAlarm: z.number().int().positive().nullish(),
  ComparisonOperator: z.string(),
  Threshold: z.number(),
  TreatMissingData: z.string().nullish(),
});

export const alarmNotification = z.looseObject({
  AlarmName: z.string().min(1),
  AlarmDescription: z.string().nullish(),
  AWSAccountId: z.string(),
  NewStateValue: z.enum(STATES),
  NewStateReason: z.string(),
  StateChangeTime: z.string().refine((t) => !Number.isNaN(parseAwsTime(t)), "an ISO 8601 time"),
  Region: z.string(),
  AlarmArn: z.string().regex(/^arn:[\w-]+:cloudwatch:[\w-]+:\d{12}:alarm:.+$/, "a CloudWatch alarm ARN"),
  OldStateValue: z.enum(STATES),
  Trigger: trigger,
});

export type AlarmNotification = z.infer<typeof alarmNotification>;
export type AlarmState = (typeof STATES)[number];

/** CloudWatch writes `2026-12-02T04:20:00.000+0000`; Date.parse wants the offset with a colon. */
export function parseAwsTime(time: string): number {
  return Date.parse(time.replace(/([+-]\d\d)(\d\d)$/, "$1:$2"));
}

/** The region code (`eu-west-1`) out of the alarm's ARN; the message's Region is its long name. */
export function regionOf(alarm: AlarmNotification): string {
  return alarm.AlarmArn.split(":")[3] ?? "";
}

/** Parses an SNS Message string as an alarm notification, or says what is wrong with it. */
export function parseAlarmMessage(message: string): AlarmNotification {
  let json: unknown;
  try {
    json = JSON.parse(message);
  } catch {
    throw new InvalidMessage("the SNS message is not JSON");
  }
  const parsed = alarmNotification.safeParse(json);
  if (!parsed.success)
    throw new InvalidMessage(`not a CloudWatch alarm notification: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

export class InvalidMessage extends Error {
  override readonly name = "InvalidMessage";
}

/** The body SNS POSTs to an HTTP(S) subscriber (its `Type` is also the x-amz-sns-message-type header). */
export const snsHttpDelivery = z.discriminatedUnion("Type", [
  z.looseObject({
    Type: z.literal("SubscriptionConfirmation"),
    MessageId: z.string(),
    TopicArn: z.string(),
    Token: z.string(),
    SubscribeURL: z.url(),
  }),
  z.looseObject({
    Type: z.literal("UnsubscribeConfirmation"),
    MessageId: z.string(),
    TopicArn: z.string(),
  }),
  z.looseObject({
    Type: z.literal("Notification"),
    MessageId: z.string(),
    TopicArn: z.string(),
    Subject: z.string().nullish(),
    Message: z.string(),
  }),
]);

export type SnsHttpDelivery = z.infer<typeof snsHttpDelivery>;

/** The event Lambda hands a function subscribed to a topic. */
export const snsLambdaEvent = z.looseObject({
  Records: z
    .array(
      z.looseObject({
        EventSource: z.literal("aws:sns"),
        Sns: z.looseObject({ MessageId: z.string(), TopicArn: z.string(), Message: z.string() }),
      }),
    )
    .min(1),
});
