import type { Command } from "commander";
import { takeSnapshot } from "../aws/snapshot.js";
import { UsageError } from "../model/errors.js";
import { addCommonOptions, type CommonOptions, positiveInt, type Runtime, runWithContext } from "./common.js";

interface ScaleFlags extends CommonOptions {
  timeout: number;
}

/** `ecs scale`: the one command that sets desiredCount, because the user asks for it explicitly. */
export function registerScale(program: Command, runtime: Runtime): void {
  addCommonOptions(
    program
      .command("scale")
      .description("set a service's desired count and wait until that many tasks run")
      .argument("<cluster>", "ECS cluster name")
      .argument("<service>", "ECS service name")
      .argument("<count>", "desired number of tasks"),
  )
    .option("--timeout <seconds>", "seconds to wait; the command fails after", positiveInt("--timeout"), 300)
    .action(async (cluster: string, service: string, count: string, flags: ScaleFlags) => {
      if (!/^\d+$/.test(count)) throw new UsageError(`count must be a whole number, got "${count}"`);
      const desired = Number(count);
      await runWithContext(runtime, flags, async (ctx) => {
        await ctx.ecs.service(cluster, service);
        await ctx.ecs.scale(cluster, service, desired);
        ctx.reporter.info(`Set ${service} desired count to ${desired}`);
        const until = ctx.clock.now().getTime() + flags.timeout * 1000;
        while (ctx.clock.now().getTime() < until) {
          const snapshot = await takeSnapshot(ctx.ecs, ctx.clients, cluster, service);
          const primary = snapshot.deployments.find((d) => d.status === "PRIMARY");
          if (primary && primary.runningCount === desired && primary.pendingCount === 0) {
            ctx.reporter.info(`${service} runs ${desired} task(s)`);
            return 0;
          }
          await ctx.clock.sleep(ctx.pollIntervalMs);
        }
        ctx.reporter.error(`${service} did not reach ${desired} running task(s) within ${flags.timeout}s`);
        return 1;
      });
    });
}
