import { DescribeTasksCommand, ListClustersCommand, ListTasksCommand, type Task } from "@aws-sdk/client-ecs";
import {
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import type { TargetState, TasksSnapshot, TaskView } from "../views.js";
import { chunks, nameFromArn, type RegionClients } from "./clients.js";
import { metricSeries } from "./metrics.js";
import { revisionOf } from "./services.js";

// The Tasks and targets page's snapshot: running tasks and the recently stopped ones, each with its
// revision, image digest, host ports and state, and its health in every target group that has it as
// a target (matched by host port: bridge mode, one instance). A draining target's time left is
// counted from when this view first saw it draining, against its group's deregistration delay,
// since ELBv2 reports the state but not when it began.

const STOPPED_SHOWN = 10;

interface Target {
  group: string;
  port: number;
  state: string;
  reason: string;
  delaySeconds: number;
}

export class TasksView {
  private readonly drainingSince = new Map<string, number>();

  constructor(
    private readonly clients: RegionClients,
    private readonly now: () => number = Date.now,
  ) {}

  async snapshot(): Promise<TasksSnapshot> {
    const { ecs } = this.clients;
    const tasks: Task[] = [];
    const clusters = (await ecs.send(new ListClustersCommand({}))).clusterArns ?? [];
    for (const cluster of clusters) {
      for (const desiredStatus of ["RUNNING", "STOPPED"] as const) {
        const arns =
          (await ecs.send(new ListTasksCommand({ cluster, desiredStatus, maxResults: 100 }))).taskArns ?? [];
        for (const batch of chunks(arns, 100)) {
          const out = await ecs.send(new DescribeTasksCommand({ cluster, tasks: batch }));
          const described = out.tasks ?? [];
          tasks.push(
            ...(desiredStatus === "STOPPED"
              ? described
                  .sort((a, b) => (b.stoppedAt?.getTime() ?? 0) - (a.stoppedAt?.getTime() ?? 0))
                  .slice(0, STOPPED_SHOWN)
              : described),
          );
        }
      }
    }
    const targets = await this.targets();
    const views = tasks.map((t) => this.view(t, targets));
    return { tasks: views, utilization: await this.utilization(clusters, views) };
  }

  private view(t: Task, targets: Target[]): TaskView {
    const hostPorts = (t.containers ?? []).flatMap((c) =>
      (c.networkBindings ?? []).flatMap((b) => b.hostPort ?? []),
    );
    const container = t.containers?.[0];
    return {
      id: (t.taskArn ?? "").split("/").pop() ?? "",
      cluster: nameFromArn(t.clusterArn),
      service: (t.group ?? "").replace(/^service:/, ""),
      revision: revisionOf(t.taskDefinitionArn),
      lastStatus: t.lastStatus ?? "",
      desiredStatus: t.desiredStatus ?? "",
      health: t.healthStatus ?? "",
      image: container?.image ?? "",
      digest: container?.imageDigest ?? "",
      hostPorts,
      startedAt: t.startedAt?.getTime(),
      stoppedReason: t.stoppedReason ?? "",
      // Task-level sizes, else what the containers reserve (bridge-mode tasks often size only those).
      cpu: t.cpu ?? containerSum(t, "cpu"),
      memory: t.memory ?? containerSum(t, "memory"),
      targets:
        t.lastStatus === "STOPPED"
          ? []
          : targets.filter((x) => hostPorts.includes(x.port)).map((x) => this.state(x)),
    };
  }

  private state(x: Target): TargetState {
    const key = `${x.group}|${x.port}`;
    let drainLeft: number | undefined;
    if (x.state === "draining") {
      const since = this.drainingSince.get(key) ?? this.now();
      this.drainingSince.set(key, since);
      drainLeft = Math.max(0, Math.round(x.delaySeconds - (this.now() - since) / 1000));
    } else this.drainingSince.delete(key);
    return { targetGroup: x.group, state: x.state, reason: x.reason, drainLeft };
  }

  private async targets(): Promise<Target[]> {
    const { elb } = this.clients;
    const groups = (await elb.send(new DescribeTargetGroupsCommand({}))).TargetGroups ?? [];
    const all: Target[] = [];
    for (const g of groups) {
      const [health, attributes] = await Promise.all([
        elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: g.TargetGroupArn })),
        elb.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: g.TargetGroupArn })),
      ]);
      const delay = Number(
        attributes.Attributes?.find((a) => a.Key === "deregistration_delay.timeout_seconds")?.Value ?? 300,
      );
      for (const d of health.TargetHealthDescriptions ?? []) {
        all.push({
          group: g.TargetGroupName ?? "",
          port: d.Target?.Port ?? 0,
          state: d.TargetHealth?.State ?? "",
          reason: d.TargetHealth?.Description ?? d.TargetHealth?.Reason ?? "",
          delaySeconds: delay,
        });
      }
    }
    return all;
  }

  private async utilization(clusters: string[], tasks: TaskView[]): Promise<TasksSnapshot["utilization"]> {
    const services = [
      ...new Set(
        tasks.filter((t) => t.service && t.lastStatus !== "STOPPED").map((t) => `${t.cluster}/${t.service}`),
      ),
    ];
    const dims = (s: string) => {
      const [ClusterName, ServiceName] = s.split("/") as [string, string];
      return { ClusterName, ServiceName };
    };
    if (clusters.length === 0 || services.length === 0) return [];
    const series = await metricSeries(
      this.clients,
      services.flatMap((s, i) =>
        (["CPUUtilization", "MemoryUtilization"] as const).map((metric) => ({
          id: `${metric === "CPUUtilization" ? "c" : "m"}${i}`,
          namespace: "AWS/ECS",
          metric,
          dimensions: dims(s),
          stat: "Average",
          periodSeconds: 60,
        })),
      ),
      10 * 60 * 1000,
      this.now(),
    );
    return services.map((s, i) => ({
      service: dims(s).ServiceName,
      cpu: series.get(`c${i}`)?.at(-1)?.[1],
      memory: series.get(`m${i}`)?.at(-1)?.[1],
    }));
  }
}

function containerSum(t: Task, field: "cpu" | "memory"): string {
  const total = (t.containers ?? []).reduce((sum, c) => sum + Number(c[field] ?? 0), 0);
  return total > 0 ? String(total) : "";
}
