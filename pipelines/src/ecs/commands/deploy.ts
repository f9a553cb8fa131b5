import type { Command } from "commander";
import { deploy } from "../core/deploy.js";
import type { TestCheck } from "../core/test-check.js";
import { parseBakeTime } from "../model/bake-time.js";
import { UsageError } from "../model/errors.js";
import { parseWaitPoint, type WaitPoint } from "../model/service-deployment.js";
import { splitShellWords } from "../model/shell-words.js";
import { parseStrategy, type Strategy } from "../model/strategy.js";
import { addChangeOptions, type ChangeOptionValues, changeRequestFrom } from "./change-options.js";
import {
  addCommonOptions,
  type CommonOptions,
  positiveInt,
  type Runtime,
  regionArgument,
  runWithContext,
} from "./common.js";

interface DeployFlags extends ChangeOptionValues, CommonOptions {
  task?: string;
  timeout: string;
  rollback?: boolean;
  deregister?: boolean;
  diff?: boolean;
  keep: number;
  sleepTime?: number;
  ignoreWarnings?: boolean;
  rollbackAlarm: string[];
  bakeTime?: number;
  strategy?: Strategy;
  testUrl?: string;
  testCommand?: string;
  testBaseUrl?: string;
  waitUntil?: WaitPoint;
}

export function registerDeploy(program: Command, runtime: Runtime): void {
  const command = program
    .command("deploy")
    .description("deploy a new revision of a service's task definition and wait for the verdict")
    .argument("<cluster>", "ECS cluster name")
    .argument("<service>", "ECS service name")
    .argument("[region]", "AWS region (fabfuel-style positional; same as --region)");
  addChangeOptions(command);
  addCommonOptions(command)
    .option("--task <task>", "deploy this revision as is (family:revision or ARN)")
    .option("--timeout <seconds>", "seconds to wait for a verdict; -1 = don't wait", "300")
    .option("--rollback", "roll back when the deploy fails (default)")
    .option("--no-rollback", "leave a failed deploy as it is (exit code 2)")
    .option("--deregister", "deregister revisions older than the last --keep (default)")
    .option("--no-deregister", "deregister nothing")
    .option("--diff", "print what changes (default; secrets masked)")
    .option("--no-diff", "don't print the changes")
    .option("--keep <n>", "revisions to keep ACTIVE", positiveInt("--keep"), 5)
    .option(
      "--sleep-time <seconds>",
      "seconds between two looks at the service (fabfuel)",
      positiveInt("--sleep-time"),
    )
    .option(
      "--ignore-warnings",
      "placement/pull events don't fail the deploy (failed tasks and the timeout still do)",
    )
    .option(
      "--rollback-alarm <name>",
      "CloudWatch alarm to watch after the rollout; ALARM rolls back (repeatable; the service's deployment alarms are watched too)",
      (name: string, names: string[]) => [...names, name],
      [],
    )
    .option(
      "--bake-time <duration>",
      "ROLLING: how long to watch the alarms after the rollout: 0, 90s, 5m (default: the longest time a breach of the alarms takes to show: period × (evaluation periods + 1)); BLUE_GREEN/CANARY/LINEAR: ECS's bakeTimeInMinutes (rounded up to whole minutes)",
      parseBakeTime,
    )
    .option(
      "--strategy <strategy>",
      "ROLLING, BLUE_GREEN, CANARY or LINEAR: deploy with this strategy (it stays the service's)",
      parseStrategy,
    )
    .option(
      "--test-url <path>",
      "blue/green family: GET this path through the test listener at POST_TEST_TRAFFIC_SHIFT; 2xx continues, else ECS rolls back",
    )
    .option(
      "--test-command <cmd>",
      "blue/green family: run CMD (no shell; TEST_URL = the test listener) at POST_TEST_TRAFFIC_SHIFT; exit 0 continues",
    )
    .option("--test-base-url <url>", "the test listener's base URL instead of the one read from its rule")
    .option(
      "--wait-until <stage>",
      "blue/green family: return 0 once the service deployment reaches this lifecycle stage (or SUCCESSFUL)",
      parseWaitPoint,
    )
    .action(async (cluster: string, service: string, region: string | undefined, flags: DeployFlags) => {
      await runWithContext(
        runtime,
        { ...flags, region: regionArgument(region) ?? flags.region },
        async (ctx) => {
          if (flags.sleepTime) ctx.pollIntervalMs = flags.sleepTime * 1000;
          ctx.ignoreWarnings = Boolean(flags.ignoreWarnings);
          const result = await deploy(ctx, {
            cluster,
            service,
            request: changeRequestFrom(flags),
            task: flags.task,
            timeoutSeconds: timeoutOf(flags.timeout),
            rollback: flags.rollback !== false,
            deregister: flags.deregister !== false,
            keep: flags.keep,
            showDiff: flags.diff !== false,
            rollbackAlarms: flags.rollbackAlarm,
            bakeSeconds: flags.bakeTime,
            strategy: flags.strategy,
            waitUntil: flags.waitUntil,
            test: testOf(flags),
          });
          ctx.reporter.result(result);
          return result.exitCode;
        },
      );
    });
}

function testOf(flags: DeployFlags): { check: TestCheck; baseUrl?: string } | undefined {
  if (flags.testUrl !== undefined && flags.testCommand !== undefined) {
    throw new UsageError("--test-url and --test-command are alternatives: pass one of them");
  }
  if (flags.testUrl !== undefined && /^[a-z][a-z0-9+.-]*:\/\//i.test(flags.testUrl)) {
    throw new UsageError(
      `--test-url takes a path like /healthz, got "${flags.testUrl}" (a different host goes in --test-base-url)`,
    );
  }
  const baseUrl = flags.testBaseUrl === undefined ? undefined : baseUrlOf(flags.testBaseUrl);
  const check: TestCheck | undefined =
    flags.testUrl !== undefined
      ? { kind: "url", path: flags.testUrl }
      : flags.testCommand !== undefined
        ? { kind: "command", argv: splitShellWords(flags.testCommand) }
        : undefined;
  if (!check) {
    if (baseUrl) throw new UsageError("--test-base-url needs --test-url or --test-command");
    return undefined;
  }
  return baseUrl ? { check, baseUrl } : { check };
}

function baseUrlOf(value: string): string {
  try {
    const url = new URL(value);
    if (url.protocol === "http:" || url.protocol === "https:") return value;
  } catch {}
  throw new UsageError(`--test-base-url must be an http(s) URL like http://127.0.0.1:9080, got "${value}"`);
}

function timeoutOf(value: string): number {
  if (value === "-1") return -1;
  if (!/^\d+$/.test(value) || Number(value) === 0) {
    throw new UsageError(`--timeout must be a positive number of seconds or -1, got "${value}"`);
  }
  return Number(value);
}
