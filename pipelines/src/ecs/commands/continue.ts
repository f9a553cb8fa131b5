import type { Command } from "commander";
import { continueOpenDeployment } from "../core/open-deployment.js";
import { addCommonOptions, type CommonOptions, type Runtime, runWithContext } from "./common.js";

interface ContinueFlags extends CommonOptions {
  rollback?: boolean;
  hookId?: string;
}

/** `ecs continue`: answers the PAUSE hook a BLUE_GREEN / CANARY / LINEAR deployment waits at. */
export function registerContinue(program: Command, runtime: Runtime): void {
  addCommonOptions(
    program
      .command("continue")
      .description("let a paused blue/green deployment go on (or roll it back with --rollback)")
      .argument("<cluster>", "ECS cluster name")
      .argument("<service>", "ECS service name"),
  )
    .option("--rollback", "roll the deployment back instead (ECS moves traffic back to blue)")
    .option("--hook-id <id>", "the hook to answer (default: the one AWAITING_ACTION)")
    .action(async (cluster: string, service: string, flags: ContinueFlags) => {
      await runWithContext(runtime, flags, async (ctx) => {
        const action = flags.rollback ? "ROLLBACK" : "CONTINUE";
        const done = await continueOpenDeployment(ctx, { cluster, service, action, hookId: flags.hookId });
        const line = `${action} sent to hook ${done.hookId} of ${done.serviceDeploymentArn} (at ${done.stage ?? "?"})`;
        if (flags.json) runtime.sink(ctx.redactor).out(JSON.stringify({ action, ...done }, null, 2));
        else ctx.reporter.info(line);
        return 0;
      });
    });
}
