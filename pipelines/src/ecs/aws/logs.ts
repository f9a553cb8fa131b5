import {
  DescribeMetricFiltersCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
} from "@aws-sdk/client-cloudwatch-logs";
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

export interface LogQuery {
  logGroupName: string;
  filterPattern?: string | undefined;
  logStreamNamePrefix?: string | undefined;
  logStreamNames?: string[] | undefined;
  startTime?: number | undefined;
  endTime?: number | undefined;
  nextToken?: string | undefined;
}

export interface LogEvent {
  eventId: string;
  timestamp: number;
  logStreamName: string;
  message: string;
}

/** One page of FilterLogEvents (logs:FilterLogEvents), events oldest first. */
export async function filterLogEvents(
  clients: Clients,
  query: LogQuery,
  limit = 1000,
): Promise<{ events: LogEvent[]; nextToken?: string }> {
  const answer = await clients.logs.send(new FilterLogEventsCommand({ ...query, limit }));
  const events = (answer.events ?? []).map((e) => ({
    eventId: e.eventId ?? `${e.logStreamName}/${e.timestamp}/${e.message}`,
    timestamp: e.timestamp ?? 0,
    logStreamName: e.logStreamName ?? "",
    message: (e.message ?? "").replace(/\s+$/, ""),
  }));
  return answer.nextToken ? { events, nextToken: answer.nextToken } : { events };
}

/** The metric filter that publishes a metric, if one does (logs:DescribeMetricFilters). */
export async function metricFilterOf(
  clients: Clients,
  metric: { name: string; namespace: string },
): Promise<{ logGroupName: string; filterPattern: string } | undefined> {
  const answer = await clients.logs.send(
    new DescribeMetricFiltersCommand({ metricName: metric.name, metricNamespace: metric.namespace }),
  );
  const filter = answer.metricFilters?.[0];
  if (!filter?.logGroupName) return undefined;
  return { logGroupName: filter.logGroupName, filterPattern: filter.filterPattern ?? "" };
}

/** The awslogs group and stream prefix of a task definition's first container that has them. */
export function awslogsOf(containers: ContainerDefinition[]) {
  for (const container of containers) {
    const options = container.logConfiguration?.options;
    if (container.logConfiguration?.logDriver !== "awslogs" || !options?.["awslogs-group"]) continue;
    return { logGroupName: options["awslogs-group"], streamPrefix: options["awslogs-stream-prefix"] };
  }
  return undefined;
}
