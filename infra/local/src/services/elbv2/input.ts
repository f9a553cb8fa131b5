import { AwsError } from "../../contracts.js";
import type { PageRequest } from "../../wire/paging.js";
import {
  type Input,
  isObject,
  optBool,
  optInt,
  optList,
  optObject,
  optObjectList,
  optString,
  optStringList,
  reqInt,
  reqString,
} from "../../wire/params.js";
import type { ActionInput, ConditionInput } from "./model.js";
import { validationError } from "./validation.js";

// ELBv2's awsQuery form, decoded into the model's typed inputs: structures and types here, limits
// and rules in the model.

export function requiredList(input: Input, name: string): unknown[] {
  const list = optList(input, name);
  if (!list) throw validationError(`${name} must be specified`);
  return list;
}

export function requiredStrings(input: Input, name: string): string[] {
  const list = optStringList(input, name);
  if (!list || list.length === 0) throw validationError(`${name} must be specified`);
  return list;
}

export function createLoadBalancerInput(input: Input) {
  return {
    name: reqString(input, "Name"),
    type: optString(input, "Type"),
    scheme: optString(input, "Scheme"),
    subnets: optStringList(input, "Subnets") ?? [],
    securityGroups: optStringList(input, "SecurityGroups") ?? [],
    ipAddressType: optString(input, "IpAddressType"),
  };
}

export function createListenerInput(input: Input) {
  return {
    loadBalancerArn: reqString(input, "LoadBalancerArn"),
    port: reqInt(input, "Port"),
    protocol: optString(input, "Protocol") ?? "HTTP",
    certificateArns: certificates(input),
    sslPolicy: optString(input, "SslPolicy"),
    defaultActions: actions(requiredList(input, "DefaultActions")),
  };
}

export function modifyListenerInput(input: Input) {
  const certs = optList(input, "Certificates") ? certificates(input) : undefined;
  const defaultActions = optList(input, "DefaultActions");
  return {
    arn: reqString(input, "ListenerArn"),
    port: optInt(input, "Port"),
    protocol: optString(input, "Protocol"),
    certificateArns: certs,
    sslPolicy: optString(input, "SslPolicy"),
    defaultActions: defaultActions && actions(defaultActions),
  };
}

export function createRuleInput(input: Input) {
  return {
    listenerArn: reqString(input, "ListenerArn"),
    priority: reqInt(input, "Priority"),
    conditions: conditions(requiredList(input, "Conditions")),
    actions: actions(requiredList(input, "Actions")),
  };
}

export function modifyRuleInput(input: Input) {
  const arn = reqString(input, "RuleArn");
  const conditionList = optList(input, "Conditions");
  const actionList = optList(input, "Actions");
  return {
    arn,
    conditions: conditionList && conditions(conditionList),
    actions: actionList && actions(actionList),
  };
}

export function rulePriorities(input: Input): { arn: string; priority: number }[] {
  return requiredList(input, "RulePriorities").map((item) => {
    if (!isObject(item)) throw validationError("RulePriorities members must be structures");
    return { arn: reqString(item, "RuleArn"), priority: reqInt(item, "Priority") };
  });
}

export function createTargetGroupInput(input: Input) {
  const protocol = optString(input, "Protocol");
  const port = optInt(input, "Port");
  if (protocol === undefined || port === undefined) {
    throw validationError("A protocol and port must be specified for target groups of type 'instance'");
  }
  return {
    name: reqString(input, "Name"),
    protocol,
    port,
    vpcId: optString(input, "VpcId"),
    targetType: optString(input, "TargetType"),
    healthCheck: healthCheckInput(input),
  };
}

export function healthCheckInput(input: Input) {
  const matcher = optObject(input, "Matcher");
  if (optBool(input, "HealthCheckEnabled") === false) {
    throw new AwsError(
      "ValidationError",
      "Health checks cannot be disabled for target groups of type 'instance'",
    );
  }
  const protocol = optString(input, "HealthCheckProtocol");
  if (protocol !== undefined && protocol !== "HTTP" && protocol !== "HTTPS") {
    throw validationError(`Health check protocol '${protocol}' must be 'HTTP' or 'HTTPS'`);
  }
  return {
    path: optString(input, "HealthCheckPath"),
    intervalSeconds: optInt(input, "HealthCheckIntervalSeconds"),
    timeoutSeconds: optInt(input, "HealthCheckTimeoutSeconds"),
    healthyThreshold: optInt(input, "HealthyThresholdCount"),
    unhealthyThreshold: optInt(input, "UnhealthyThresholdCount"),
    matcher: matcher ? optString(matcher, "HttpCode") : undefined,
  };
}

export function tagList(input: Input): Record<string, string> | undefined {
  const tags = optObjectList(input, "Tags");
  if (!tags) return undefined;
  const out: Record<string, string> = {};
  for (const tag of tags) {
    const key = reqString(tag, "Key");
    if (key.length < 1 || key.length > 128)
      throw validationError(`Tag key '${key}' must be 1 to 128 characters`);
    const value = optString(tag, "Value") ?? "";
    if (value.length > 256) throw validationError(`Tag value for '${key}' must be at most 256 characters`);
    out[key] = value;
  }
  return out;
}

export function attributeMap(input: Input): Record<string, string> {
  const list = optObjectList(input, "Attributes");
  if (!list || list.length === 0) throw validationError("Attributes must be specified");
  return Object.fromEntries(list.map((a) => [reqString(a, "Key"), optString(a, "Value") ?? ""]));
}

export function targets(input: Input): { id: string; port?: number | undefined }[] {
  const list = optObjectList(input, "Targets");
  if (!list || list.length === 0) throw validationError("Targets must be specified");
  return list.map((t) => ({ id: reqString(t, "Id"), port: optInt(t, "Port") }));
}

/** `PageSize` (1-400) and `Marker` as the Describe operations take them. */
export function pageRequest(input: Input): PageRequest {
  const size = optInt(input, "PageSize");
  if (size !== undefined && (size < 1 || size > 400))
    throw validationError("Page size must be between 1 and 400");
  return { size, token: optString(input, "Marker") };
}

export const invalidToken = () => validationError("The pagination token is invalid");

function certificates(input: Input): string[] {
  return (optObjectList(input, "Certificates") ?? []).map((c) => reqString(c, "CertificateArn"));
}

function conditions(raw: unknown[]): ConditionInput[] {
  return raw.map((item) => {
    if (!isObject(item)) throw validationError("A condition must be a structure");
    const field = item.Field;
    if (field !== "host-header" && field !== "path-pattern") {
      throw validationError(
        `Condition field '${String(field)}' is not supported; use 'host-header' or 'path-pattern'`,
      );
    }
    const config = item[field === "host-header" ? "HostHeaderConfig" : "PathPatternConfig"];
    const values = isObject(config) && config.Values !== undefined ? config.Values : item.Values;
    return { field, values: conditionValues(values) };
  });
}

function conditionValues(v: unknown): string[] {
  if (!Array.isArray(v) || v.some((x) => typeof x !== "string"))
    throw validationError("Condition values must be a list of strings");
  return v as string[];
}

function actions(raw: unknown[]): ActionInput[] {
  return raw.map((item): ActionInput => {
    if (!isObject(item)) throw validationError("An action must be a structure");
    switch (item.Type) {
      case "forward":
        return forwardInput(item);
      case "redirect":
        return { type: "redirect", redirect: redirectConfig(item) };
      case "fixed-response":
        return { type: "fixed-response", fixedResponse: fixedResponseConfig(item) };
      default:
        throw validationError(
          `Action type '${String(item.Type)}' is not supported; use 'forward', 'redirect' or 'fixed-response'`,
        );
    }
  });
}

type ForwardInput = Extract<ActionInput, { type: "forward" }>;

function forwardInput(item: Input): ForwardInput {
  const config = isObject(item.ForwardConfig) ? item.ForwardConfig : undefined;
  const groups = config ? configuredGroups(config) : [];
  const stickiness =
    config && isObject(config.TargetGroupStickinessConfig) ? config.TargetGroupStickinessConfig : undefined;
  const forward: ForwardInput = {
    type: "forward",
    targetGroups: typeof item.TargetGroupArn === "string" ? singleGroup(item.TargetGroupArn, groups) : groups,
  };
  if (stickiness)
    forward.stickiness = {
      enabled: optBool(stickiness, "Enabled") ?? false,
      durationSeconds: optInt(stickiness, "DurationSeconds"),
    };
  return forward;
}

function configuredGroups(config: Input): ForwardInput["targetGroups"] {
  if (!Array.isArray(config.TargetGroups)) return [];
  return config.TargetGroups.map((g) => {
    if (!isObject(g) || typeof g.TargetGroupArn !== "string")
      throw validationError("A forward target group needs a TargetGroupArn");
    return { arn: g.TargetGroupArn, weight: g.Weight === undefined ? undefined : Number(g.Weight) };
  });
}

/** TargetGroupArn beside a ForwardConfig is allowed only when the config names that one group alone. */
function singleGroup(arn: string, configured: ForwardInput["targetGroups"]): ForwardInput["targetGroups"] {
  if (configured.length === 0) return [{ arn }];
  if (configured.length === 1 && configured[0]!.arn === arn) return configured;
  throw validationError(
    "You cannot specify both a TargetGroupArn and a ForwardConfig with a different or more than one target group",
  );
}

function redirectConfig(item: Input): Extract<ActionInput, { type: "redirect" }>["redirect"] {
  const c = item.RedirectConfig;
  if (!isObject(c)) throw validationError("A redirect action needs a RedirectConfig");
  const text = (v: unknown) => (typeof v === "string" ? v : undefined);
  return {
    protocol: text(c.Protocol),
    port: text(c.Port),
    host: text(c.Host),
    path: text(c.Path),
    query: text(c.Query),
    statusCode: String(c.StatusCode ?? ""),
  };
}

function fixedResponseConfig(item: Input): Extract<ActionInput, { type: "fixed-response" }>["fixedResponse"] {
  const c = item.FixedResponseConfig;
  if (!isObject(c)) throw validationError("A fixed-response action needs a FixedResponseConfig");
  return {
    statusCode: String(c.StatusCode ?? ""),
    contentType: typeof c.ContentType === "string" ? c.ContentType : undefined,
    messageBody: typeof c.MessageBody === "string" ? c.MessageBody : undefined,
  };
}
