import type { Command } from "commander";
import { rollbackService } from "../core/rollback-command.js";
import { addCommonOptions, type CommonOptions, positiveInt, type Runtime, runWithContext } from "./common.js";

interface RollbackFlags extends CommonOptions {
  to?: string;
  timeout: number;
}

export function registerRollback(program: Command, runtime: Runtime): void {
  addCommonOptions(
    program
      .command("rollback")
      .description("go back to the revision that served before the last deploy")
      .argument("<cluster>", "ECS cluster name")
      .argument("<service>", "ECS service name"),
  )
    .option("--to <task>", "roll back to this revision instead of the recorded one")
    .option("--timeout <seconds>", "seconds to wait for a verdict", positiveInt("--timeout"), 300)
    .action(async (cluster: string, service: string, flags: RollbackFlags) => {
      await runWithContext(runtime, flags, async (ctx) => {
        const result = await rollbackService(ctx, {
          cluster,
          service,
          to: flags.to,
          timeoutSeconds: flags.timeout,
        });
        ctx.reporter.result(result);
        return result.exitCode;
      });
    });
}
