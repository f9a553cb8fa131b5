import { DescribeAlarmsCommand, ListMetricsCommand } from "@aws-sdk/client-cloudwatch";
import { DescribeLogGroupsCommand, FilterLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { DescribeImagesCommand, DescribeRepositoriesCommand } from "@aws-sdk/client-ecr";
import { ListTaskDefinitionsCommand } from "@aws-sdk/client-ecs";
import type { RegionClients } from "./region-process.js";

// What a region holds that must survive its own crash, read through the AWS API: task definitions,
// images, log events up to a moment, metric names, alarms and their states. Pure comparison apart.

export interface Inventory {
  taskDefinitions: string[];
  /** `<repository>@<digest>` */
  images: string[];
  /** Log events per log group with a timestamp at or before the inventory's `upTo`. */
  logEvents: Record<string, number>;
  /** `<namespace>/<metric name>` */
  metrics: string[];
  alarms: Record<string, string>;
}

// Bounds on the paging, so a region that keeps answering nextToken can't hold a test forever.
const MAX_PAGES = 200;

export async function inventory(clients: RegionClients, upTo: number): Promise<Inventory> {
  return {
    taskDefinitions: (await taskDefinitions(clients)).sort(),
    images: (await images(clients)).sort(),
    logEvents: await logEvents(clients, upTo),
    metrics: (await metrics(clients)).sort(),
    alarms: await alarms(clients),
  };
}

async function taskDefinitions(clients: RegionClients): Promise<string[]> {
  const arns: string[] = [];
  let nextToken: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const out = await clients.ecs.send(new ListTaskDefinitionsCommand({ nextToken }));
    arns.push(...(out.taskDefinitionArns ?? []));
    nextToken = out.nextToken;
    if (!nextToken) break;
  }
  return arns;
}

async function images(clients: RegionClients): Promise<string[]> {
  const repositories = (await clients.ecr.send(new DescribeRepositoriesCommand({}))).repositories ?? [];
  const found: string[] = [];
  for (const repository of repositories) {
    const out = await clients.ecr.send(
      new DescribeImagesCommand({ repositoryName: repository.repositoryName }),
    );
    for (const image of out.imageDetails ?? [])
      found.push(`${repository.repositoryName}@${image.imageDigest}`);
  }
  return found;
}

async function logEvents(clients: RegionClients, upTo: number): Promise<Record<string, number>> {
  const groups = (await clients.logs.send(new DescribeLogGroupsCommand({}))).logGroups ?? [];
  const counts: Record<string, number> = {};
  for (const group of groups) {
    const name = group.logGroupName as string;
    let count = 0;
    let nextToken: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const out = await clients.logs.send(
        new FilterLogEventsCommand({ logGroupName: name, startTime: 0, endTime: upTo, nextToken }),
      );
      count += out.events?.length ?? 0;
      nextToken = out.nextToken;
      if (!nextToken) break;
    }
    counts[name] = count;
  }
  return counts;
}

async function metrics(clients: RegionClients): Promise<string[]> {
  const names = new Set<string>();
  let nextToken: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const out = await clients.cloudwatch.send(new ListMetricsCommand({ NextToken: nextToken }));
    for (const m of out.Metrics ?? []) names.add(`${m.Namespace}/${m.MetricName}`);
    nextToken = out.NextToken;
    if (!nextToken) break;
  }
  return [...names];
}

async function alarms(clients: RegionClients): Promise<Record<string, string>> {
  const states: Record<string, string> = {};
  let nextToken: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const out = await clients.cloudwatch.send(new DescribeAlarmsCommand({ NextToken: nextToken }));
    for (const a of out.MetricAlarms ?? []) states[a.AlarmName as string] = a.StateValue as string;
    for (const a of out.CompositeAlarms ?? []) states[a.AlarmName as string] = a.StateValue as string;
    nextToken = out.NextToken;
    if (!nextToken) break;
  }
  return states;
}

export interface InventoryLoss {
  taskDefinitions: string[];
  images: string[];
  /** Log groups with fewer events up to the moment than before: `<group>: <before> → <after>`. */
  logEvents: string[];
  metrics: string[];
  alarms: string[];
  /** Alarms whose state differs (not a loss by itself: states follow the data). */
  alarmStateChanges: string[];
}

/** What `before` held that `after` does not. */
export function lost(before: Inventory, after: Inventory): InventoryLoss {
  const missing = (a: string[], b: string[]) => a.filter((x) => !b.includes(x));
  return {
    taskDefinitions: missing(before.taskDefinitions, after.taskDefinitions),
    images: missing(before.images, after.images),
    logEvents: Object.entries(before.logEvents)
      .filter(([group, n]) => (after.logEvents[group] ?? 0) < n)
      .map(([group, n]) => `${group}: ${n} → ${after.logEvents[group] ?? 0}`),
    metrics: missing(before.metrics, after.metrics),
    alarms: missing(Object.keys(before.alarms), Object.keys(after.alarms)),
    alarmStateChanges: Object.entries(before.alarms)
      .filter(([name, state]) => after.alarms[name] !== undefined && after.alarms[name] !== state)
      .map(([name, state]) => `${name}: ${state} → ${after.alarms[name]}`),
  };
}

export const NOTHING_LOST: InventoryLoss = {
  taskDefinitions: [],
  images: [],
  logEvents: [],
  metrics: [],
  alarms: [],
  alarmStateChanges: [],
};
