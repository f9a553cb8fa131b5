import type { Service } from "@aws-sdk/client-ecs";
import type { Command } from "commander";
import { targetHealth } from "../aws/elbv2.js";
import type { Context } from "../core/context.js";
import { deploymentHistory, type HistoryEntry, historyLines } from "../core/deployment-history.js";
import { familyRevision } from "../model/revision-tags.js";
import { strategyOf } from "../model/strategy.js";
import { addCommonOptions, type CommonOptions, type Runtime, runWithContext } from "./common.js";

interface ServiceStatus {
  name: string;
  status: string;
  strategy: string;
  taskDefinition: string;
  desired: number;
  running: number;
  pending: number;
  deployments: {
    id: string;
    status: string;
    taskDefinition: string;
    rolloutState?: string;
    desired: number;
    running: number;
    pending: number;
    failedTasks: number;
  }[];
  targets: { targetGroupArn: string; states: Record<string, number> }[];
  lastEvents: { at: string; message: string }[];
  /** ECS's service deployments, newest first (ListServiceDeployments + DescribeServiceDeployments). */
  history: HistoryEntry[];
}

/** `ecs status`: services, their deployments and deployment history, target health, last events. Read-only. */
export function registerStatus(program: Command, runtime: Runtime): void {
  addCommonOptions(
    program
      .command("status")
      .description(
        "show services, deployments, the service deployment history, target health and last events",
      )
      .argument("<cluster>", "ECS cluster name")
      .argument("[service]", "one service (default: every service of the cluster)"),
  ).action(async (cluster: string, service: string | undefined, flags: CommonOptions) => {
    await runWithContext(runtime, flags, async (ctx) => {
      const names = service ? [service] : await ctx.ecs.serviceNames(cluster);
      const services = service
        ? [await ctx.ecs.service(cluster, service)]
        : await ctx.ecs.services(cluster, names);
      const statuses = await Promise.all(services.map((s) => statusOf(ctx, cluster, s)));
      if (flags.json) {
        runtime.sink(ctx.redactor).out(JSON.stringify({ cluster, services: statuses }, null, 2));
        return 0;
      }
      if (statuses.length === 0) ctx.reporter.info(`cluster ${cluster} has no services`);
      for (const s of statuses) for (const line of statusLines(s)) ctx.reporter.info(line);
      return 0;
    });
  });
}

async function statusOf(ctx: Context, cluster: string, service: Service): Promise<ServiceStatus> {
  const groups = [
    ...new Set((service.loadBalancers ?? []).map((lb) => lb.targetGroupArn).filter(Boolean)),
  ] as string[];
  const history = deploymentHistory(ctx, cluster, service.serviceName ?? "");
  const targets = await Promise.all(
    groups.map(async (arn) => {
      const states: Record<string, number> = {};
      for (const t of await targetHealth(ctx.clients.elbv2, arn))
        states[t.state] = (states[t.state] ?? 0) + 1;
      return { targetGroupArn: arn, states };
    }),
  );
  return {
    name: service.serviceName ?? "",
    status: service.status ?? "",
    strategy: strategyOf(service.deploymentConfiguration),
    taskDefinition: familyRevision(service.taskDefinition ?? ""),
    desired: service.desiredCount ?? 0,
    running: service.runningCount ?? 0,
    pending: service.pendingCount ?? 0,
    deployments: (service.deployments ?? []).map((d) => ({
      id: d.id ?? "",
      status: d.status ?? "",
      taskDefinition: familyRevision(d.taskDefinition ?? ""),
      rolloutState: d.rolloutState,
      desired: d.desiredCount ?? 0,
      running: d.runningCount ?? 0,
      pending: d.pendingCount ?? 0,
      failedTasks: d.failedTasks ?? 0,
    })),
    targets,
    lastEvents: (service.events ?? []).slice(0, 5).map((e) => ({
      at: e.createdAt?.toISOString() ?? "",
      message: e.message ?? "",
    })),
    history: (await history).entries,
  };
}

function statusLines(s: ServiceStatus): string[] {
  const lines = [
    `${s.name} (${s.status}${s.strategy === "ROLLING" ? "" : `, ${s.strategy}`}) ${s.taskDefinition}: ${s.running}/${s.desired} running, ${s.pending} pending`,
  ];
  for (const d of s.deployments) {
    lines.push(
      `  ${d.status.padEnd(7)} ${d.id} ${d.taskDefinition} ${d.rolloutState ?? "-"} ` +
        `${d.running}/${d.desired} running, ${d.pending} pending, ${d.failedTasks} failed`,
    );
  }
  for (const t of s.targets) {
    const states = Object.entries(t.states).map(([state, n]) => `${n} ${state}`);
    const name = /targetgroup\/([^/]+)/.exec(t.targetGroupArn)?.[1] ?? t.targetGroupArn;
    lines.push(`  targets ${name}: ${states.length > 0 ? states.join(", ") : "none"}`);
  }
  lines.push(...historyLines(s.history));
  for (const e of s.lastEvents) lines.push(`  ${e.at} ${e.message}`);
  return lines;
}
