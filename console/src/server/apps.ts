import { request } from "node:http";
import { DescribeServicesCommand, ListClustersCommand, ListServicesCommand } from "@aws-sdk/client-ecs";
import { DescribeTargetGroupsCommand, type Rule } from "@aws-sdk/client-elastic-load-balancing-v2";
import type { AppLink } from "../views.js";
import { chunks, type RegionClients } from "./clients.js";
import { conditionValues, listenerRules } from "./listener-rules.js";

// The apps behind the load balancer, as a user reaches them: per service the first HTTP rule that
// forwards to its target group gives host, port and path; its health is the target group's own
// health check path, asked through the load balancer, and its version the app's version route next
// to it (`/media/healthz` → `/media/version`, the API's `/api/v1/version`). This page talks to the
// apps, not to AWS: it is the one a user would open next.

const TIMEOUT_MS = 2000;

export class AppsView {
  constructor(private readonly clients: RegionClients) {}

  async snapshot(): Promise<AppLink[]> {
    const routes = await this.routes();
    const links: AppLink[] = [];
    for (const [service, targetGroupArn] of await this.serviceGroups()) {
      const route = routes.get(targetGroupArn);
      if (!route) continue;
      const base = `http://${route.host}:${route.port}`;
      const health = await get(route.port, route.host, route.healthPath);
      const versionPaths = [route.healthPath.replace(/healthz$/, "version"), "/api/v1/version"];
      let version = "";
      for (const path of versionPaths) {
        const answer = await get(route.port, route.host, path);
        if (answer.startsWith("200")) {
          version = answer.slice(4, 200);
          break;
        }
      }
      links.push({ service, url: `${base}${route.path}`, health, version });
    }
    return links.sort((a, b) => a.service.localeCompare(b.service));
  }

  private async serviceGroups(): Promise<[string, string][]> {
    const { ecs } = this.clients;
    const out: [string, string][] = [];
    for (const cluster of (await ecs.send(new ListClustersCommand({}))).clusterArns ?? []) {
      const arns = (await ecs.send(new ListServicesCommand({ cluster, maxResults: 100 }))).serviceArns ?? [];
      for (const batch of chunks(arns, 10)) {
        const services =
          (await ecs.send(new DescribeServicesCommand({ cluster, services: batch }))).services ?? [];
        for (const s of services) {
          const tgs = (s.loadBalancers ?? []).flatMap((lb) => [
            lb.targetGroupArn ?? "",
            lb.advancedConfiguration?.alternateTargetGroupArn ?? "",
          ]);
          for (const tg of tgs.filter(Boolean)) out.push([s.serviceName ?? "", tg]);
        }
      }
    }
    return out;
  }

  /** Target group ARN → the first HTTP rule forwarding to it (with a non-zero weight). */
  private async routes(): Promise<
    Map<string, { host: string; port: number; path: string; healthPath: string }>
  > {
    const { elb } = this.clients;
    const health = new Map(
      ((await elb.send(new DescribeTargetGroupsCommand({}))).TargetGroups ?? []).map((g) => [
        g.TargetGroupArn ?? "",
        g.HealthCheckPath ?? "/",
      ]),
    );
    const routes = new Map<string, { host: string; port: number; path: string; healthPath: string }>();
    const http = (await listenerRules(elb))
      .filter((x) => x.listener.Protocol === "HTTP")
      .sort((a, b) => (a.listener.Port ?? 0) - (b.listener.Port ?? 0));
    for (const { listener, rules } of http) {
      for (const r of rules) {
        for (const tg of forwardsTo(r)) {
          if (routes.has(tg)) continue;
          const host = conditionValue(r, "host-header") ?? "localhost";
          const path = (conditionValue(r, "path-pattern") ?? "/").replace(/\*.*$/, "");
          routes.set(tg, { host, port: listener.Port ?? 80, path, healthPath: health.get(tg) ?? "/" });
        }
      }
    }
    return routes;
  }
}

function forwardsTo(r: Rule): string[] {
  const action = r.Actions?.find((a) => a.Type === "forward");
  const weighted = action?.ForwardConfig?.TargetGroups?.filter((g) => (g.Weight ?? 1) > 0).map(
    (g) => g.TargetGroupArn ?? "",
  );
  return weighted ?? (action?.TargetGroupArn ? [action.TargetGroupArn] : []);
}

function conditionValue(r: Rule, field: string): string | undefined {
  const c = r.Conditions?.find((x) => x.Field === field);
  return c ? conditionValues(c)[0] : undefined;
}

/** `<status> <body>` of a GET through the load balancer with the rule's Host, or why it failed. */
function get(port: number, host: string, path: string): Promise<string> {
  return new Promise((resolve) => {
    const req = request({ host: "127.0.0.1", port, path, headers: { host } }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        if (body.length < 1000) body += chunk;
      });
      res.on("end", () => resolve(`${res.statusCode} ${body.trim()}`));
    });
    req.setTimeout(TIMEOUT_MS, () => req.destroy(new Error("timed out")));
    req.on("error", (e) => resolve(`unreachable: ${e.message}`));
    req.end();
  });
}
