import { GetLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import type { ContainerDefinition } from "@aws-sdk/client-ecs";
import type { Clients } from "./clients.js";

/** The awslogs stream of a container in a task: `<prefix>/<container>/<task id>`. */
export function awslogsStream(container: ContainerDefinition, taskArn: string) {
  const config = container.logConfiguration;
  if (config?.logDriver !== "awslogs") return undefined;
  const group = config.options?.["awslogs-group"];
  const prefix = config.options?.["awslogs-stream-prefix"];
  if (!group || !prefix) return undefined;
  const taskId = taskArn.slice(taskArn.lastIndexOf("/") + 1);
  return { logGroupName: group, logStreamName: `${prefix}/${container.name}/${taskId}` };
}

/** The last lines a container wrote, or nothing when its logs can't be read (not a reason to fail). */
export async function lastLogLines(
  clients: Clients,
  stream: { logGroupName: string; logStreamName: string },
  limit = 20,
): Promise<string[]> {
  try {
    const answer = await clients.logs.send(
      new GetLogEventsCommand({ ...stream, limit, startFromHead: false }),
    );
    return (answer.events ?? []).map((e) => e.message ?? "").map((line) => line.replace(/\s+$/, ""));
  } catch {
    return [];
  }
}
