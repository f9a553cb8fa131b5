import type { Command } from "commander";
import { deploy } from "../core/deploy.js";
import { parseBakeTime } from "../model/bake-time.js";
import { UsageError } from "../model/errors.js";
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
      "how long to watch the alarms after the rollout: 0, 90s, 5m (default: the longest time a breach of the alarms takes to show: period × (evaluation periods + 1))",
      parseBakeTime,
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
          });
          ctx.reporter.result(result);
          return result.exitCode;
        },
      );
    });
}

function timeoutOf(value: string): number {
  if (value === "-1") return -1;
  if (!/^\d+$/.test(value) || Number(value) === 0) {
    throw new UsageError(`--timeout must be a positive number of seconds or -1, got "${value}"`);
  }
  return Number(value);
}
