import type { Command } from "commander";
import { verifyService } from "../core/verify.js";
import { failedChecks } from "../model/verify-checks.js";
import { addCommonOptions, type CommonOptions, type Runtime, runWithContext } from "./common.js";

/** `ecs verify`: exit 0 when every check passed or was skipped, 1 when one failed. Changes nothing. */
export function registerVerify(program: Command, runtime: Runtime): void {
  addCommonOptions(
    program
      .command("verify")
      .description("check images, roles, log groups, target group ports and secrets before deploying")
      .argument("<cluster>", "ECS cluster name")
      .argument("<service>", "ECS service name"),
  ).action(async (cluster: string, service: string, flags: CommonOptions) => {
    await runWithContext(runtime, flags, async (ctx) => {
      const checks = await verifyService(ctx, cluster, service);
      const failed = failedChecks(checks);
      if (flags.json) {
        runtime
          .sink(ctx.redactor)
          .out(JSON.stringify({ cluster, service, ok: failed.length === 0, checks }, null, 2));
        return failed.length === 0 ? 0 : 1;
      }
      for (const c of checks) {
        const line = `${c.status.toUpperCase().padEnd(7)} ${c.kind} ${c.subject}: ${c.detail}`;
        if (c.status === "failed") ctx.reporter.warn(line);
        else ctx.reporter.info(line);
      }
      if (failed.length > 0) {
        ctx.reporter.error(`${failed.length} of ${checks.length} checks failed for ${service}`);
        return 1;
      }
      ctx.reporter.info(`all ${checks.length} checks passed or were skipped for ${service}`);
      return 0;
    });
  });
}
