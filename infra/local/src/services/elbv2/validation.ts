import { AwsError, type HealthCheckSettings } from "../../contracts.js";
import type { ActionInput, ConditionInput } from "./model.js";
import type { ActionRecord, ConditionRecord, Stickiness } from "./state.js";

// ELBv2's limits, with the codes and wording AWS answers them with.

export function validationError(message: string): AwsError {
  return new AwsError("ValidationError", message);
}

/** Load balancer and target group names: 1-32 alphanumerics or hyphens, no hyphen at either end. */
export function checkName(kind: "load balancer" | "target group", name: string): void {
  if (name.length > 32)
    throw validationError(`The ${kind} name '${name}' cannot be longer than '32' characters`);
  if (!/^[A-Za-z0-9-]+$/.test(name) || name.length === 0) {
    throw validationError(
      `The ${kind} name '${name}' can only contain characters that are alphanumeric characters and hyphens(-)`,
    );
  }
  if (name.startsWith("-") || name.endsWith("-")) {
    throw validationError(`The ${kind} name '${name}' cannot begin or end with a hyphen`);
  }
  if (kind === "load balancer" && name.startsWith("internal-")) {
    throw validationError(`The load balancer name '${name}' cannot begin with 'internal-'`);
  }
}

export function checkPort(name: string, port: number | undefined): void {
  if (port === undefined) return;
  if (port < 1 || port > 65535) {
    throw validationError(
      `1 validation error detected: Value '${port}' at '${name}' failed to satisfy constraint: Member must have value between 1 and 65535`,
    );
  }
}

export function checkProtocol(name: string, protocol: string): "HTTP" | "HTTPS" {
  if (protocol === "HTTP" || protocol === "HTTPS") return protocol;
  const known = ["TCP", "TLS", "UDP", "TCP_UDP", "GENEVE"];
  if (known.includes(protocol)) {
    throw validationError(
      `Protocol '${protocol}' is not supported for ${name} of application load balancers`,
    );
  }
  throw validationError(
    `1 validation error detected: Value '${protocol}' at '${name}' failed to satisfy constraint: Member must satisfy enum value set: [HTTP, HTTPS, TCP, TLS, UDP, TCP_UDP, GENEVE]`,
  );
}

function range(name: string, value: number, min: number, max: number): void {
  if (value < min || value > max) {
    throw validationError(
      `1 validation error detected: Value '${value}' at '${name}' failed to satisfy constraint: Member must have value between ${min} and ${max}`,
    );
  }
}

export function checkHealthCheck(hc: HealthCheckSettings): void {
  range("healthCheckIntervalSeconds", hc.intervalSeconds, 5, 300);
  range("healthCheckTimeoutSeconds", hc.timeoutSeconds, 2, 120);
  range("healthyThresholdCount", hc.healthyThreshold, 2, 10);
  range("unhealthyThresholdCount", hc.unhealthyThreshold, 2, 10);
  if (hc.timeoutSeconds >= hc.intervalSeconds) {
    throw validationError("Health check timeout must be smaller than the interval");
  }
  if (!hc.path.startsWith("/") || hc.path.length > 1024) {
    throw validationError(
      `Health check path '${hc.path}' must begin with '/' and be at most 1024 characters`,
    );
  }
  checkMatcher(hc.matcher);
}

/** ALB matchers: "200", "200,202", "200-299", codes 200-499. */
function checkMatcher(matcher: string): void {
  const ok = matcher.split(",").every((part) => {
    const m = /^(\d{3})(?:-(\d{3}))?$/.exec(part.trim());
    if (!m) return false;
    const from = Number(m[1]);
    const to = Number(m[2] ?? m[1]);
    return from >= 200 && to <= 499 && from <= to;
  });
  if (!ok) throw validationError(`Health check matcher HTTP code '${matcher}' must be within '200-499'`);
}

export function matcherAccepts(matcher: string, status: number): boolean {
  return matcher.split(",").some((part) => {
    const [from, to] = part.trim().split("-").map(Number);
    return status >= from! && status <= (to ?? from!);
  });
}

export function checkPriority(priority: number): void {
  range("priority", priority, 1, 50000);
}

export function checkConditions(conditions: ConditionInput[]): ConditionRecord[] {
  let valueCount = 0;
  for (const { field, values } of conditions) {
    if (values.length === 0) throw validationError(`A '${field}' condition must have at least one value`);
    for (const v of values) {
      if (v.length > 128)
        throw validationError(`The '${field}' value '${v}' cannot be longer than 128 characters`);
      if (field === "host-header" && !/^[A-Za-z0-9.*?-]+(:\d+)?$/.test(v)) {
        throw validationError(`The host header value '${v}' contains characters that are not allowed`);
      }
    }
    valueCount += values.length;
  }
  if (valueCount > 5) throw validationError("A rule can have at most '5' condition values");
  const fields = conditions.map((c) => c.field);
  if (new Set(fields).size !== fields.length)
    throw validationError("A rule can have only one condition per field");
  return conditions.map(({ field, values }) => ({ field, values }));
}

export function checkActions(
  actions: ActionInput[],
  targetGroupExists: (arn: string) => boolean,
): ActionRecord[] {
  if (actions.length === 0) throw validationError("At least one action must be specified");
  const records = actions.map((action): ActionRecord => {
    if (action.type === "forward") return forwardAction(action, targetGroupExists);
    if (action.type === "redirect") return redirectAction(action);
    return fixedResponseAction(action);
  });
  if (records.length > 1) throw validationError("Only one action can be specified per rule");
  return records;
}

/** ELBv2's quota "target groups per action". */
const MAX_TARGET_GROUPS_PER_ACTION = 5;

function forwardAction(
  action: Extract<ActionInput, { type: "forward" }>,
  exists: (arn: string) => boolean,
): ActionRecord {
  const groups = action.targetGroups.map((g) => {
    const weight = g.weight ?? 1;
    if (!Number.isInteger(weight) || weight < 0 || weight > 999)
      throw validationError("Target group weight must be between 0 and 999");
    return { arn: g.arn, weight };
  });
  if (groups.length === 0) throw validationError("A target group ARN must be specified for a forward action");
  if (groups.length > MAX_TARGET_GROUPS_PER_ACTION)
    throw validationError(
      `A forward action can have at most '${MAX_TARGET_GROUPS_PER_ACTION}' target groups`,
    );
  if (new Set(groups.map((g) => g.arn)).size !== groups.length)
    throw validationError("A target group can be specified only once in a forward action");
  for (const g of groups) {
    if (!exists(g.arn)) throw new AwsError("TargetGroupNotFound", `Target group '${g.arn}' not found`);
  }
  const stickiness = action.stickiness && checkStickiness(action.stickiness);
  return { type: "forward", targetGroups: groups, ...(stickiness ? { stickiness } : {}) };
}

/** A duration given must be in range even when stickiness is disabled: ELBv2 refuses 0 then too. */
function checkStickiness(s: Stickiness): Stickiness {
  const d = s.durationSeconds;
  if (s.enabled && d === undefined)
    throw validationError("Target group stickiness duration must be specified when stickiness is enabled");
  if (d !== undefined && (!Number.isInteger(d) || d < 1 || d > 604800))
    throw validationError("Target group stickiness duration must be between 1 and 604800 seconds");
  return { enabled: s.enabled, durationSeconds: d };
}

function redirectAction({ redirect: r }: Extract<ActionInput, { type: "redirect" }>): ActionRecord {
  if (r.statusCode !== "HTTP_301" && r.statusCode !== "HTTP_302") {
    throw validationError("Redirect status code must be 'HTTP_301' or 'HTTP_302'");
  }
  return {
    type: "redirect",
    redirect: {
      protocol: r.protocol || "#{protocol}",
      port: r.port || "#{port}",
      host: r.host || "#{host}",
      path: r.path || "/#{path}",
      query: r.query || "#{query}",
      statusCode: r.statusCode,
    },
  };
}

function fixedResponseAction({
  fixedResponse: f,
}: Extract<ActionInput, { type: "fixed-response" }>): ActionRecord {
  if (!/^[245]\d\d$/.test(f.statusCode))
    throw validationError(`Fixed response status code '${f.statusCode}' must be 2XX, 4XX or 5XX`);
  if (f.messageBody !== undefined && f.messageBody.length > 1024)
    throw validationError("Fixed response message body cannot be longer than 1024 characters");
  return {
    type: "fixed-response",
    fixedResponse: {
      statusCode: f.statusCode,
      contentType: f.contentType ?? "text/plain",
      messageBody: f.messageBody,
    },
  };
}
