import type {
  ActionRecord,
  ConditionRecord,
  ListenerRecord,
  RuleRecord,
} from "../../services/elbv2/state.js";

// Which action a request gets: rules by ascending priority, the first whose conditions all match,
// else the listener's default actions. Pure, so the ALB's matching semantics are unit-testable.

export interface RequestFacts {
  /** Host header as sent (a port is ignored, case does not matter). */
  host: string | undefined;
  /** Path without the query string. */
  path: string;
}

export function selectAction(
  listener: ListenerRecord,
  rules: RuleRecord[],
  request: RequestFacts,
): ActionRecord | undefined {
  const sorted = [...rules].sort((a, b) => a.priority - b.priority);
  const rule = sorted.find((r) => r.conditions.every((c) => conditionMatches(c, request)));
  return (rule ? rule.actions : listener.defaultActions)[0];
}

function conditionMatches(condition: ConditionRecord, request: RequestFacts): boolean {
  if (condition.field === "host-header") {
    const host = stripPort(request.host ?? "").toLowerCase();
    return condition.values.some((v) => wildcard(stripPort(v).toLowerCase()).test(host));
  }
  return condition.values.some((v) => wildcard(v).test(request.path));
}

function stripPort(host: string): string {
  return host.replace(/:\d+$/, "");
}

const cache = new Map<string, RegExp>();

/** ELBv2 patterns: `*` any run of characters, `?` exactly one; everything else literal. */
export function wildcard(pattern: string): RegExp {
  let re = cache.get(pattern);
  if (!re) {
    const body = pattern
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".");
    re = new RegExp(`^${body}$`, "s");
    if (cache.size > 1000) cache.clear();
    cache.set(pattern, re);
  }
  return re;
}

/** A weighted choice among a forward action's target groups. */
export function chooseTargetGroup(
  groups: { arn: string; weight: number }[],
  random = Math.random,
): string | undefined {
  const total = groups.reduce((sum, g) => sum + g.weight, 0);
  if (groups.length === 1) return groups[0]!.arn;
  if (total === 0) return undefined;
  let r = random() * total;
  for (const g of groups) {
    r -= g.weight;
    if (r < 0) return g.arn;
  }
  return groups[groups.length - 1]!.arn;
}

/** The cookie ALB keeps a client on one target group of a sticky forward action with. */
export const STICKY_COOKIE = "AWSALBTG";

type ForwardAction = Extract<ActionRecord, { type: "forward" }>;

/**
 * The target group for a request to a forward action: the one its stickiness cookie names while
 * that group is still in the action with a weight above 0 (so a shift to 0 moves sticky clients
 * too), else a weighted choice.
 */
export function forwardTargetGroup(
  action: ForwardAction,
  cookieHeader: string | undefined,
  random = Math.random,
): { arn: string | undefined; setCookie?: string } {
  if (!action.stickiness?.enabled) return { arn: chooseTargetGroup(action.targetGroups, random) };
  const stuck = decodeSticky(cookieValue(cookieHeader, STICKY_COOKIE));
  if (stuck && action.targetGroups.some((g) => g.arn === stuck && g.weight > 0)) return { arn: stuck };
  const arn = chooseTargetGroup(action.targetGroups, random);
  if (!arn) return { arn };
  // Validation wants a duration with stickiness enabled; 3600 s (the console's default) is a fallback only.
  const seconds = action.stickiness.durationSeconds ?? 3600;
  return { arn, setCookie: `${STICKY_COOKIE}=${encodeSticky(arn)}; Max-Age=${seconds}; Path=/` };
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? "").split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return rest.join("=");
  }
  return undefined;
}

function encodeSticky(arn: string): string {
  return Buffer.from(arn, "utf8").toString("base64url");
}

function decodeSticky(value: string | undefined): string | undefined {
  return value ? Buffer.from(value, "base64url").toString("utf8") : undefined;
}

/** A redirect action's Location, with ALB's `#{protocol}`, `#{host}`, `#{port}`, `#{path}`, `#{query}`. */
export function redirectLocation(
  redirect: { protocol: string; port: string; host: string; path: string; query: string },
  request: { protocol: "http" | "https"; host: string; port: number; path: string; query: string },
): string {
  const hostOnly = stripPort(request.host);
  const fill = (s: string) =>
    s
      .replace(/#\{protocol\}/g, request.protocol)
      .replace(/#\{host\}/g, hostOnly)
      .replace(/#\{port\}/g, String(request.port))
      .replace(/#\{path\}/g, request.path.replace(/^\//, ""))
      .replace(/#\{query\}/g, request.query);
  const protocol = fill(redirect.protocol).toLowerCase();
  const port = fill(redirect.port);
  const defaultPort = (protocol === "https" && port === "443") || (protocol === "http" && port === "80");
  const query = fill(redirect.query);
  return `${protocol}://${fill(redirect.host)}${defaultPort ? "" : `:${port}`}${fill(redirect.path)}${query ? `?${query}` : ""}`;
}
