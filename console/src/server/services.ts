import {
  DescribeServiceDeploymentsCommand,
  DescribeServiceRevisionsCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ListClustersCommand,
  ListServiceDeploymentsCommand,
  ListServicesCommand,
  type Service,
  type ServiceDeployment,
} from "@aws-sdk/client-ecs";
import { DescribeRulesCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import type { DeployRecord, ServiceView, TrafficSplit } from "../views.js";
import { chunks, environmentOf, nameFromArn, type RegionClients } from "./clients.js";

// The Services page's snapshot: per service its strategy, counts, deployments, the traffic split
// read from the production listener rule's forward weights, its events and its deploy history.

const HISTORY = 10;
const EVENTS = 15;

export class ServicesView {
  // Task definitions are immutable: each ARN is described once.
  private readonly logGroups = new Map<string, string>();
  // So are service revisions: each one's task definition, by ARN.
  private readonly revisions = new Map<string, string>();

  constructor(private readonly clients: RegionClients) {}

  async snapshot(): Promise<ServiceView[]> {
    const { ecs } = this.clients;
    const clusters = (await ecs.send(new ListClustersCommand({}))).clusterArns ?? [];
    const views: ServiceView[] = [];
    for (const cluster of clusters) {
      const arns = (await ecs.send(new ListServicesCommand({ cluster, maxResults: 100 }))).serviceArns ?? [];
      for (const batch of chunks(arns, 10)) {
        const out = await ecs.send(new DescribeServicesCommand({ cluster, services: batch }));
        for (const service of out.services ?? []) views.push(await this.view(cluster, service));
      }
    }
    return views.sort((a, b) => a.environment.localeCompare(b.environment) || a.name.localeCompare(b.name));
  }

  private async view(cluster: string, s: Service): Promise<ServiceView> {
    const name = s.serviceName ?? "";
    const history = await this.history(cluster, name);
    const current = history.find((d) => d.status === "IN_PROGRESS" || d.status === "PENDING") ?? history[0];
    return {
      cluster: nameFromArn(cluster),
      name,
      environment: environmentOf(name),
      status: s.status ?? "",
      strategy: s.deploymentConfiguration?.strategy ?? "ROLLING",
      desired: s.desiredCount ?? 0,
      running: s.runningCount ?? 0,
      pending: s.pendingCount ?? 0,
      taskDefinition: revisionOf(s.taskDefinition),
      logGroup: await this.logGroup(s.taskDefinition),
      deployments: (s.deployments ?? []).map((d) => ({
        id: d.id ?? "",
        status: d.status ?? "",
        rolloutState: d.rolloutState ?? "",
        running: d.runningCount ?? 0,
        desired: d.desiredCount ?? 0,
        taskDefinition: revisionOf(d.taskDefinition),
      })),
      current,
      history,
      traffic: await this.traffic(s),
      events: (s.events ?? [])
        .slice(0, EVENTS)
        .map((e) => ({ at: e.createdAt?.getTime() ?? 0, message: e.message ?? "" })),
    };
  }

  private async history(cluster: string, service: string): Promise<DeployRecord[]> {
    const { ecs } = this.clients;
    const list = await ecs.send(new ListServiceDeploymentsCommand({ cluster, service, maxResults: HISTORY }));
    const arns = (list.serviceDeployments ?? []).flatMap((d) => d.serviceDeploymentArn ?? []);
    if (arns.length === 0) return [];
    const out = await ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: arns }));
    const byArn = new Map((out.serviceDeployments ?? []).map((d) => [d.serviceDeploymentArn, d]));
    await this.learnRevisions(
      (out.serviceDeployments ?? []).flatMap((d) => d.targetServiceRevision?.arn ?? []),
    );
    // In ListServiceDeployments' order (newest first).
    return arns.flatMap((arn) => {
      const d = byArn.get(arn);
      return d ? [record(d, this.revisions)] : [];
    });
  }

  private async learnRevisions(arns: string[]): Promise<void> {
    const unknown = [...new Set(arns)].filter((a) => !this.revisions.has(a));
    for (const batch of chunks(unknown, 20)) {
      const out = await this.clients.ecs.send(
        new DescribeServiceRevisionsCommand({ serviceRevisionArns: batch }),
      );
      for (const r of out.serviceRevisions ?? [])
        if (r.serviceRevisionArn) this.revisions.set(r.serviceRevisionArn, revisionOf(r.taskDefinition));
    }
  }

  /** The production rule's forward weights, for services whose deployments move them. */
  private async traffic(s: Service): Promise<TrafficSplit[]> {
    const rule = s.loadBalancers?.find((lb) => lb.advancedConfiguration?.productionListenerRule)
      ?.advancedConfiguration?.productionListenerRule;
    if (!rule) return [];
    const out = await this.clients.elb.send(new DescribeRulesCommand({ RuleArns: [rule] }));
    const forward = out.Rules?.[0]?.Actions?.find((a) => a.Type === "forward");
    const groups = forward?.ForwardConfig?.TargetGroups ?? [];
    if (groups.length > 0)
      return groups.map((g) => ({ targetGroup: nameFromArn(g.TargetGroupArn), weight: g.Weight ?? 1 }));
    return forward?.TargetGroupArn ? [{ targetGroup: nameFromArn(forward.TargetGroupArn), weight: 1 }] : [];
  }

  private async logGroup(taskDefinition: string | undefined): Promise<string> {
    if (!taskDefinition) return "";
    const known = this.logGroups.get(taskDefinition);
    if (known !== undefined) return known;
    const out = await this.clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition }));
    const group =
      out.taskDefinition?.containerDefinitions?.find((c) => c.logConfiguration?.options?.["awslogs-group"])
        ?.logConfiguration?.options?.["awslogs-group"] ?? "";
    this.logGroups.set(taskDefinition, group);
    return group;
  }
}

function record(d: ServiceDeployment, revisions: ReadonlyMap<string, string>): DeployRecord {
  return {
    arn: d.serviceDeploymentArn ?? "",
    status: d.status ?? "",
    lifecycleStage: d.lifecycleStage ?? "",
    startedAt: d.startedAt?.getTime() ?? d.createdAt?.getTime(),
    finishedAt: d.finishedAt?.getTime() ?? d.stoppedAt?.getTime(),
    revision:
      revisions.get(d.targetServiceRevision?.arn ?? "") ??
      d.targetServiceRevision?.arn?.split("/").pop() ??
      "",
    statusReason: d.statusReason ?? "",
    rollbackReason: d.rollback?.reason ?? "",
  };
}

/** `arn:...:task-definition/api-prod:7` → `api-prod:7`. */
export function revisionOf(arn: string | undefined): string {
  return arn?.split("/").pop() ?? "";
}
