import {
  DescribeServicesCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  type Service,
  type Task,
} from "@aws-sdk/client-ecs";
import {
  DescribeTargetHealthCommand,
  type TargetHealthDescription,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { CLUSTER } from "./bootstrap.js";
import type { Clients } from "./clients.js";
import { shortImage } from "./deploy-services.js";

// The foreground view of `npm start`: services, deployments, tasks and target health, read through
// the same API a user's tools use. A terminal gets a redrawn screen; a pipe gets plain lines.

export interface Snapshot {
  at: Date;
  services: Service[];
  tasks: Task[];
  health: Record<string, TargetHealthDescription[]>;
}

export async function takeSnapshot(
  clients: Clients,
  services: string[],
  /** Each service's target groups (blue and green for a traffic-shifting one). */
  targetGroups: Record<string, string[]>,
): Promise<Snapshot> {
  const described = await clients.ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services }));
  const arns = (await clients.ecs.send(new ListTasksCommand({ cluster: CLUSTER }))).taskArns ?? [];
  const tasks = arns.length
    ? ((await clients.ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: arns.slice(0, 100) })))
        .tasks ?? [])
    : [];
  const health: Record<string, TargetHealthDescription[]> = {};
  for (const [name, arns] of Object.entries(targetGroups)) {
    health[name] = [];
    for (const arn of arns) {
      const described = await clients.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }));
      health[name].push(...(described.TargetHealthDescriptions ?? []));
    }
  }
  return { at: new Date(), services: described.services ?? [], tasks, health };
}

const pad = (text: string, width: number) =>
  text.length >= width ? `${text.slice(0, width - 1)} ` : text.padEnd(width);
const time = (d: Date | undefined) => (d ? d.toISOString().slice(11, 19) : "--:--:--");

/** The screen: one block per service, then the latest events. */
export function renderSnapshot(s: Snapshot, header: string[]): string {
  const lines = [...header, "", `${pad("SERVICE", 20)}${pad("TASKS", 10)}DEPLOYMENTS`];
  for (const service of s.services) {
    const name = service.serviceName ?? "?";
    const deployments = (service.deployments ?? [])
      .map(
        (d) =>
          `${d.status} ${d.taskDefinition?.split("/").pop()} ${d.rolloutState}${d.failedTasks ? ` failed=${d.failedTasks}` : ""}`,
      )
      .join("  |  ");
    lines.push(`${pad(name, 20)}${pad(`${service.runningCount}/${service.desiredCount}`, 10)}${deployments}`);
    const targets = s.health[name] ?? [];
    for (const task of s.tasks.filter((t) => t.group === `service:${name}`)) {
      const port = task.containers?.[0]?.networkBindings?.find((b) => b.protocol === "tcp")?.hostPort;
      const target = targets.find((t) => t.Target?.Port === port);
      lines.push(
        `    task ${task.taskArn?.split("/").pop()?.slice(0, 8)}  ${pad(task.lastStatus ?? "", 13)}${pad(port ? `:${port}` : "", 8)}${pad(target?.TargetHealth?.State ?? "-", 10)}${shortImage(task.containers?.[0]?.image ?? "")}`,
      );
    }
  }
  lines.push("", "Recent events:");
  for (const e of recentEvents(s.services, 8)) lines.push(`  ${time(e.createdAt)} ${e.message}`);
  return lines.join("\n");
}

export function recentEvents(services: Service[], count: number) {
  return services
    .flatMap((s) => s.events ?? [])
    .sort((a, b) => (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0))
    .slice(0, count);
}

export interface LiveView {
  stop(): void;
}

/** Redraws every second in a TTY; otherwise prints new events as they come and a summary a minute. */
export function startLiveView(
  clients: Clients,
  services: string[],
  targetGroups: Record<string, string[]>,
  header: string[],
  out: NodeJS.WriteStream = process.stdout,
): LiveView {
  const tty = out.isTTY === true;
  const seen = new Set<string>();
  let lastSummary = 0;
  let busy = false;
  const refresh = async () => {
    if (busy) return;
    busy = true;
    try {
      const snapshot = await takeSnapshot(clients, services, targetGroups);
      if (tty) {
        out.write(
          `\x1b[H\x1b[2J${renderSnapshot(snapshot, header)}\n\nCtrl-C stops the tasks (drain, SIGTERM) and the region.\n`,
        );
        return;
      }
      for (const e of recentEvents(snapshot.services, 50).reverse()) {
        if (!e.id || seen.has(e.id)) continue;
        seen.add(e.id);
        out.write(`${e.createdAt?.toISOString()} ${e.message}\n`);
      }
      if (Date.now() - lastSummary > 60_000) {
        lastSummary = Date.now();
        for (const s of snapshot.services) {
          const d = s.deployments?.find((x) => x.status === "PRIMARY");
          out.write(
            `${new Date().toISOString()} ${s.serviceName}: ${s.runningCount}/${s.desiredCount} running, ${d?.rolloutState ?? "-"}\n`,
          );
        }
      }
    } catch (error) {
      out.write(`live view: ${(error as Error).message}\n`);
    } finally {
      busy = false;
    }
  };
  void refresh();
  const timer = setInterval(() => void refresh(), tty ? 1000 : 2000);
  return { stop: () => clearInterval(timer) };
}
