import type { TaskDefinition } from "@aws-sdk/client-ecs";
import { awslogsStream, lastLogLines } from "../aws/logs.js";
import { containerStates } from "../aws/snapshot.js";
import type { StoppedTaskCause } from "../model/result.js";
import type { Tracked } from "../model/snapshot.js";
import type { Context } from "./context.js";

const MAX_TASKS = 3;

/**
 * Why the new tasks stopped: ECS's stoppedReason and exit codes, and the last lines each container
 * logged (CloudWatch Logs, from the revision's awslogs configuration). Best effort: a cause that
 * can't be read is left out, it never turns a verdict into a crash.
 */
export async function stoppedTaskCauses(
  ctx: Context,
  cluster: string,
  service: string,
  tracked: Tracked,
  taskDefinition: TaskDefinition,
): Promise<StoppedTaskCause[]> {
  try {
    const arns = await ctx.ecs.taskArns(cluster, service, "STOPPED");
    const tasks = arns.length > 0 ? await ctx.ecs.tasks(cluster, arns) : [];
    const ours = tasks
      .filter((t) => t.startedBy === tracked.deploymentId || t.taskDefinitionArn === tracked.taskDefinition)
      .sort((a, b) => (b.stoppedAt?.getTime() ?? 0) - (a.stoppedAt?.getTime() ?? 0))
      .slice(0, MAX_TASKS);
    return await Promise.all(
      ours.map(async (task) => ({
        taskArn: task.taskArn ?? "",
        stoppedReason: task.stoppedReason,
        stopCode: task.stopCode,
        containers: containerStates(task),
        logs: await Promise.all(
          (taskDefinition.containerDefinitions ?? []).map(async (container) => {
            const stream = awslogsStream(container, task.taskArn ?? "");
            const lines = stream ? await lastLogLines(ctx.clients, stream) : [];
            return { container: container.name ?? "", lines };
          }),
        ),
      })),
    );
  } catch (error) {
    ctx.reporter.warn(`could not read the stopped tasks: ${(error as Error).message}`);
    return [];
  }
}
