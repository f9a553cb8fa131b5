import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { ECSClient } from "@aws-sdk/client-ecs";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import type { AccessKey } from "./session.js";

// The SDK clients the console reads the region with: the same calls a user's tools make, nothing else.

export interface RegionClients {
  ecs: ECSClient;
  elb: ElasticLoadBalancingV2Client;
  cloudwatch: CloudWatchClient;
  logs: CloudWatchLogsClient;
}

export function regionClients(endpoint: string, region: string, credentials: AccessKey): RegionClients {
  // Two attempts: a poll that fails is retried at the next tick anyway. A time limit, because a
  // poller waits for its poll before the next: one request that never answers would freeze a page.
  const config = {
    endpoint,
    region,
    credentials,
    maxAttempts: 2,
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 15_000 },
  };
  return {
    ecs: new ECSClient(config),
    elb: new ElasticLoadBalancingV2Client(config),
    cloudwatch: new CloudWatchClient(config),
    logs: new CloudWatchLogsClient(config),
  };
}

/** `targetgroup/<name>/<id>` → `<name>`; ARNs name their resource, so no lookup is needed. */
export function nameFromArn(arn: string | undefined): string {
  if (!arn) return "";
  const resource = arn.split(":").pop() ?? arn;
  const parts = resource.split("/");
  return (parts[0] === "targetgroup" || parts[0] === "app" ? parts[1] : parts.at(-1)) ?? arn;
}

/** `api-prod` → `prod`: the platform names services `<app>-<env>`. */
export function environmentOf(service: string): string {
  const env = /-(qa|prod|staging|dev)$/.exec(service)?.[1];
  return env ?? "other";
}

/** Items of `list` in groups of `size`, for calls that take a bounded number of names. */
export function chunks<T>(list: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}
