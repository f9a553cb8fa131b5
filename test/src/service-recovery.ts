import { DescribeServicesCommand, type Task } from "@aws-sdk/client-ecs";
import { runningTasks, targetStates } from "./ecs-tasks.js";
import { CLUSTER, type RegionClients } from "./region-process.js";

// When a service is whole again after one of its tasks died: its desired count running, every one of
// them a healthy target. Read through the AWS API, as an operator's dashboard would.

/** The TCP host ports of a task (the media server's UDP media ports are no targets). */
export function tcpHostPorts(task: Task): number[] {
  return (task.containers ?? []).flatMap((c) =>
    (c.networkBindings ?? []).filter((b) => b.protocol !== "udp").map((b) => b.hostPort ?? 0),
  );
}

/** A traffic-shifting service has a second group (`<service>-green`); a rolling one has none. */
async function targetsOf(
  clients: RegionClients,
  service: string,
): Promise<{ port: number; state: string }[]> {
  const groups = await Promise.all(
    [service, `${service}-green`].map((name) => targetStates(clients, name).catch(() => [])),
  );
  return groups.flat();
}

/** Whether `service` runs its desired count, `without` that task among them, each healthy in a target group. */
export async function isWhole(clients: RegionClients, service: string, without: string): Promise<boolean> {
  const out = await clients.ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [service] }));
  const desired = out.services?.[0]?.desiredCount ?? 0;
  const tasks = (await runningTasks(clients, service)).filter(
    (t) => t.lastStatus === "RUNNING" && !t.taskArn?.endsWith(`/${without}`),
  );
  if (tasks.length < desired) return false;
  const targets = await targetsOf(clients, service);
  return tasks.every((t) =>
    tcpHostPorts(t).every((port) => targets.some((g) => g.port === port && g.state === "healthy")),
  );
}
