import type { Command } from "commander";
import { planNewRevision } from "../core/deploy.js";
import { familyRevision } from "../model/revision-tags.js";
import { addChangeOptions, type ChangeOptionValues, changeRequestFrom } from "./change-options.js";
import { addCommonOptions, type CommonOptions, type Runtime, runWithContext } from "./common.js";

/** `ecs diff`: what `ecs deploy` with the same options would change. Changes nothing. */
export function registerDiff(program: Command, runtime: Runtime): void {
  const command = program
    .command("diff")
    .description("show what a deploy with these options would change (secrets masked); changes nothing")
    .argument("<cluster>", "ECS cluster name")
    .argument("<service>", "ECS service name");
  addCommonOptions(addChangeOptions(command)).action(
    async (cluster: string, service: string, flags: ChangeOptionValues & CommonOptions) => {
      await runWithContext(runtime, flags, async (ctx) => {
        const found = await ctx.ecs.service(cluster, service);
        const arn = found.taskDefinition ?? "";
        const { taskDefinition, tags } = await ctx.ecs.taskDefinition(arn);
        const serving = { arn, taskDefinition, tags };
        for (const c of taskDefinition.containerDefinitions ?? []) {
          for (const env of c.environment ?? []) ctx.redactor.add(env.name ?? "", env.value);
        }
        const plan = await planNewRevision(ctx, serving, { request: changeRequestFrom(flags) });
        ctx.reporter.changes(`Changes a deploy would make to ${familyRevision(arn)}`, plan.changes);
        for (const image of plan.images)
          ctx.reporter.info(`${image.container}: ${image.source} -> ${image.image}`);
        if (flags.json) {
          ctx.reporter.result({
            command: "deploy",
            outcome: "unchanged",
            exitCode: 0,
            cluster,
            service,
            taskDefinition: arn,
            stoppedTasks: [],
            images: plan.images,
            changes: plan.changes,
            elapsedSeconds: 0,
          });
        }
        return 0;
      });
    },
  );
}
