import { AwsError, type RequestContext } from "../../contracts.js";
import type { PageRequest } from "../../wire/paging.js";
import {
  type Input,
  isObject,
  optBool,
  optObject,
  optObjectList,
  optString,
  reqString,
} from "../../wire/params.js";
import { invalidParameter, type Tag } from "./model.js";

// SNS's awsQuery requests decoded into the model's typed inputs.

const MAX_MESSAGE_BYTES = 256 * 1024;
const DATA_TYPE = /^(String|Number|Binary)(\..+)?$|^String\.Array$/;

export function createTopicInput(input: Input) {
  return {
    name: reqString(input, "Name"),
    attributes: stringMap(input, "Attributes"),
    tags: (optObjectList(input, "Tags") ?? []).map(
      (t): Tag => ({ key: reqString(t, "Key"), value: reqString(t, "Value") }),
    ),
  };
}

/** A topic ARN of this account; another account's is AWS's AuthorizationError. */
export function topicArn(input: Input, ctx: RequestContext, name = "TopicArn"): string {
  return ownArn(reqString(input, name), ctx, "Topic");
}

export function subscriptionArn(input: Input, ctx: RequestContext): string {
  return ownArn(reqString(input, "SubscriptionArn"), ctx, "SubscriptionArn");
}

function ownArn(arn: string, ctx: RequestContext, what: string): string {
  const parts = arn.split(":");
  if (parts.length < 6 || parts[0] !== "arn" || parts[2] !== "sns") throw invalidParameter(`${what}Arn`);
  if (parts[4] !== ctx.accountId) {
    throw new AwsError(
      "AuthorizationError",
      `User: arn:aws:iam::${ctx.accountId}:root is not authorized to access this resource`,
      403,
    );
  }
  return arn;
}

export function subscribeInput(input: Input, ctx: RequestContext) {
  return {
    topicArn: topicArn(input, ctx),
    protocol: reqString(input, "Protocol"),
    endpoint: reqString(input, "Endpoint"),
    returnArn: optBool(input, "ReturnSubscriptionArn") ?? false,
  };
}

export function publishInput(input: Input, ctx: RequestContext) {
  const target = optString(input, "TopicArn") ?? optString(input, "TargetArn");
  if (target === undefined)
    throw invalidParameter("TopicArn or TargetArn Reason: no value for required parameter");
  const message = reqString(input, "Message");
  if (message.length === 0) throw invalidParameter("Empty message");
  if (Buffer.byteLength(message) > MAX_MESSAGE_BYTES) throw invalidParameter("Message too long");
  return {
    topicArn: ownArn(target, ctx, "Topic"),
    message,
    subject: subject(optString(input, "Subject")),
    attributes: messageAttributes(input),
  };
}

function subject(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const printable = [...value].every((c) => c >= " " && c <= "~");
  if (value.length === 0 || value.length > 100 || !printable) throw invalidParameter("Subject");
  return value;
}

function messageAttributes(input: Input): Record<string, { type: string; value: string }> {
  const map = optObject(input, "MessageAttributes") ?? {};
  return Object.fromEntries(
    Object.entries(map).map(([name, v]) => {
      const attribute = isObject(v) ? v : {};
      const type = optString(attribute, "DataType");
      const value = optString(attribute, "StringValue") ?? optString(attribute, "BinaryValue");
      if (!type || !DATA_TYPE.test(type)) {
        throw parameterValue(
          `The message attribute '${name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.`,
        );
      }
      if (value === undefined) {
        throw parameterValue(
          `The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${type}'.`,
        );
      }
      return [name, { type, value }];
    }),
  );
}

function parameterValue(message: string): AwsError {
  return new AwsError("ParameterValueInvalid", message);
}

function stringMap(input: Input, name: string): Record<string, string> {
  const map = optObject(input, name) ?? {};
  return Object.fromEntries(Object.keys(map).map((k) => [k, reqString(map, k)]));
}

/** SNS pages 100 items at a time, NextToken only. */
export function pageRequest(input: Input): PageRequest {
  return { size: 100, token: optString(input, "NextToken") };
}

export const invalidToken = () => invalidParameter("NextToken");
