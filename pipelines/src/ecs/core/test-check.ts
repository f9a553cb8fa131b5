import { spawn } from "node:child_process";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import type { LookupFunction } from "node:net";
import type { LoadBalancer } from "@aws-sdk/client-ecs";
import { describeRule, listenerEndpoint } from "../aws/listener-rules.js";
import { PreflightError } from "../model/errors.js";
import type { Context } from "./context.js";

// The check a deploy with --test-url/--test-command runs while ECS waits at the tool's PAUSE hook:
// green has the test listener, production still goes to blue. Pass = CONTINUE, fail = ROLLBACK.

export type TestCheck = { kind: "url"; path: string } | { kind: "command"; argv: string[] };

/** Where the test listener is: its base URL and the Host its rule matches. */
export interface TestTarget {
  baseUrl: string;
  host?: string | undefined;
}

export interface CheckResult {
  passed: boolean;
  explanation: string;
}

const URL_TRIES = 5;
const URL_TRY_SPACING_MS = 2_500;
const REQUEST_TIMEOUT_MS = 5_000;
/** Lines of a test command's output shown; the rest is counted, not printed. */
const MAX_OUTPUT_LINES = 200;
const MAX_LINE_CHARS = 500;

/**
 * The test listener's base URL, from advancedConfiguration.testListenerRule → DescribeRules (host
 * condition) → DescribeListeners (protocol, port) → DescribeLoadBalancers (DNS name); or `override`
 * (--test-base-url), with the rule's host still sent when the rule can be read. Checked before the
 * deploy changes anything: a check that can't run must not wait at a hook until it times out.
 */
export async function resolveTestTarget(
  ctx: Context,
  loadBalancers: readonly LoadBalancer[],
  override: string | undefined,
): Promise<TestTarget> {
  const ruleArn = loadBalancers.find((lb) => lb.advancedConfiguration?.testListenerRule)
    ?.advancedConfiguration?.testListenerRule;
  if (override) {
    const host = ruleArn ? await hostOfRule(ctx, ruleArn) : undefined;
    return { baseUrl: override.replace(/\/+$/, ""), host };
  }
  if (!ruleArn) {
    throw new PreflightError(
      "--test-url/--test-command need a test listener: the service's load balancers have no advancedConfiguration.testListenerRule (add one, or pass --test-base-url URL)",
    );
  }
  const endpoint = await listenerEndpoint(ctx.clients.elbv2, ruleArn);
  if (!endpoint) {
    throw new PreflightError(
      `could not find the listener and load balancer of the test listener rule ${ruleArn} (pass --test-base-url URL)`,
    );
  }
  return { baseUrl: `${endpoint.protocol}://${endpoint.dnsName}:${endpoint.port}`, host: endpoint.host };
}

async function hostOfRule(ctx: Context, ruleArn: string): Promise<string | undefined> {
  try {
    const rule = await describeRule(ctx.clients.elbv2, ruleArn);
    const condition = rule?.Conditions?.find((c) => c.Field === "host-header");
    const values = condition?.HostHeaderConfig?.Values ?? condition?.Values ?? [];
    return values.find((v) => !v.includes("*") && !v.includes("?"));
  } catch {
    return undefined;
  }
}

export async function runTestCheck(
  ctx: Context,
  check: TestCheck,
  target: TestTarget,
  timeoutSeconds: number,
): Promise<CheckResult> {
  return check.kind === "url"
    ? urlCheck(ctx, target, check.path)
    : commandCheck(ctx, target, check.argv, timeoutSeconds);
}

/** GET base+path through the test listener, up to 5 tries ~2.5 s apart; the first 2xx passes. */
async function urlCheck(ctx: Context, target: TestTarget, path: string): Promise<CheckResult> {
  const url = new URL(path.startsWith("/") ? path : `/${path}`, `${target.baseUrl}/`);
  const via = target.host ? ` (Host: ${target.host})` : "";
  let last = "";
  for (let attempt = 1; attempt <= URL_TRIES; attempt++) {
    last = await get(url, target.host).then(
      (status) => `${status}`,
      (error: Error) => (error as NodeJS.ErrnoException).code ?? error.message,
    );
    ctx.reporter.info(`test ${attempt}/${URL_TRIES}: GET ${url.href}${via} → ${last}`);
    if (/^2\d\d$/.test(last)) return { passed: true, explanation: `GET ${url.pathname} answered ${last}` };
    if (attempt < URL_TRIES) await ctx.clock.sleep(URL_TRY_SPACING_MS);
  }
  return {
    passed: false,
    explanation: `GET ${url.pathname} through the test listener answered ${last} ${URL_TRIES} times, not 2xx`,
  };
}

/**
 * One GET, its status code. A `.localhost` name is this machine (RFC 6761) — the local region's
 * load balancer — so it is connected to on 127.0.0.1, and its self-signed certificate is accepted;
 * any other name is resolved and verified as usual, with SNI = the Host the rule matches.
 */
function get(url: URL, host: string | undefined): Promise<number> {
  const local = url.hostname === "localhost" || url.hostname.endsWith(".localhost");
  const options = {
    method: "GET",
    headers: host ? { host } : {},
    timeout: REQUEST_TIMEOUT_MS,
    ...(local ? { lookup: loopback } : {}),
    ...(url.protocol === "https:" ? { servername: host ?? url.hostname, rejectUnauthorized: !local } : {}),
  };
  const send = url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(url, options, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(Object.assign(new Error("timed out"), { code: "ETIMEDOUT" })));
    req.on("error", reject);
    req.end();
  });
}

const loopback: LookupFunction = (_hostname, options, callback) => {
  if (options.all) callback(null, [{ address: "127.0.0.1", family: 4 }]);
  else callback(null, "127.0.0.1", 4);
};

/**
 * Runs the command (argv, no shell) with TEST_URL (and TEST_HOST) set; exit 0 passes. Its output is
 * shown line by line, prefixed and bounded; it is stopped by its PID when it outlives the timeout.
 */
function commandCheck(
  ctx: Context,
  target: TestTarget,
  argv: string[],
  timeoutSeconds: number,
): Promise<CheckResult> {
  const [file, ...args] = argv;
  const env = {
    ...process.env,
    TEST_URL: target.baseUrl,
    ...(target.host ? { TEST_HOST: target.host } : {}),
  };
  ctx.reporter.info(`test: running ${JSON.stringify(argv)} with TEST_URL=${target.baseUrl}`);
  return new Promise((resolve) => {
    const child = spawn(file!, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    const output = boundedLines((line) => ctx.reporter.info(`  test| ${line}`));
    child.stdout.on("data", output.write);
    child.stderr.on("data", output.write);
    const timer = setTimeout(() => {
      if (child.pid) process.kill(child.pid, "SIGKILL");
    }, timeoutSeconds * 1000);
    child.on("error", (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({
        passed: false,
        explanation: `the test command could not start: ${error.code ?? error.message}`,
      });
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      output.end();
      if (code === 0) resolve({ passed: true, explanation: `${file} exited 0` });
      else
        resolve({
          passed: false,
          explanation: `the test command ${file} ${signal ? `was killed (${signal})` : `exited ${code}`}`,
        });
    });
  });
}

function boundedLines(show: (line: string) => void) {
  let pending = "";
  let shown = 0;
  let hidden = 0;
  const emit = (line: string) => {
    if (shown < MAX_OUTPUT_LINES) {
      show(line.length > MAX_LINE_CHARS ? `${line.slice(0, MAX_LINE_CHARS)}…` : line);
      shown++;
    } else hidden++;
  };
  return {
    write: (chunk: Buffer) => {
      const lines = (pending + chunk.toString("utf8")).split(/\r?\n/);
      pending = lines.pop() ?? "";
      for (const line of lines) emit(line);
      // A command that never ends a line must not grow this buffer without bound.
      if (pending.length > MAX_LINE_CHARS * 8) {
        emit(pending);
        pending = "";
      }
    },
    end: () => {
      if (pending) emit(pending);
      if (hidden > 0) show(`(${hidden} more line(s) of output not shown)`);
    },
  };
}
