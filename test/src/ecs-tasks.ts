import {
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  type Task,
} from "@aws-sdk/client-ecs";
import {
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { CLUSTER, type LocalRegionProcess, type RegionClients } from "./region-process.js";

/** The service's tasks that ECS lists as running (desired status RUNNING). */
export async function runningTasks(clients: RegionClients, service: string): Promise<Task[]> {
  const list = await clients.ecs.send(new ListTasksCommand({ cluster: CLUSTER, serviceName: service }));
  return describeTasks(clients, list.taskArns ?? []);
}

export async function describeTasks(clients: RegionClients, taskArns: string[]): Promise<Task[]> {
  if (taskArns.length === 0) return [];
  const out = await clients.ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: taskArns }));
  return out.tasks ?? [];
}

/** Target states of a target group by name: `["healthy", "draining", ...]` with their ports. */
export async function targetStates(
  clients: RegionClients,
  targetGroupName: string,
): Promise<{ port: number; state: string }[]> {
  const groups = await clients.elb.send(new DescribeTargetGroupsCommand({ Names: [targetGroupName] }));
  const arn = groups.TargetGroups?.[0]?.TargetGroupArn;
  if (!arn) throw new Error(`no target group ${targetGroupName}`);
  const health = await clients.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }));
  return (health.TargetHealthDescriptions ?? []).map((d) => ({
    port: d.Target?.Port ?? 0,
    state: d.TargetHealth?.State ?? "unknown",
  }));
}

/** The host ports a task's containers were given (what its targets are registered with). */
export function hostPorts(task: Task): number[] {
  return (task.containers ?? []).flatMap((c) => (c.networkBindings ?? []).map((b) => b.hostPort ?? 0));
}

/** The service's event messages written at or after `since` (epoch ms), oldest first. */
export async function serviceEventsSince(
  region: LocalRegionProcess,
  service: string,
  since: number,
): Promise<string[]> {
  const out = await region
    .clients()
    .ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [service] }));
  return (out.services?.[0]?.events ?? [])
    .filter((e) => (e.createdAt?.getTime() ?? 0) >= since)
    .map((e) => e.message ?? "")
    .reverse();
}
