import type { IncomingMessage, ServerResponse } from "node:http";
import type { TaskDefinitionRecord, TaskRecord } from "../../services/ecs/model/types.js";

// The ECS task metadata endpoint v4, served on the region endpoint at /v4/<task id>/<container>:
// `GET <uri>` is the container, `GET <uri>/task` the task, as a container reads them on ECS.

export const METADATA_PREFIX = "/v4/";

export interface MetadataSource {
  task(taskId: string):
    | {
        task: TaskRecord;
        taskDefinition?: TaskDefinitionRecord;
        labels: (name: string) => Record<string, string>;
      }
    | undefined;
}

export function metadataUri(endpoint: string, taskId: string, container: string): string {
  return `${endpoint}${METADATA_PREFIX}${taskId}/${encodeURIComponent(container)}`;
}

export function metadataHandler(source: MetadataSource) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? "").split("?")[0] ?? "";
    const [taskId, containerName, what] = path.slice(METADATA_PREFIX.length).split("/").map(safeDecode);
    const found = taskId ? source.task(taskId) : undefined;
    const container = found?.task.containers.find((c) => c.name === containerName);
    if (req.method !== "GET" || !found || !container || (what !== undefined && what !== "task")) {
      res.writeHead(404, { "content-type": "application/json" });
      res.end(JSON.stringify({ message: "No metadata for this path." }));
      return;
    }
    const body =
      what === "task"
        ? taskJson(found.task, found.taskDefinition, found.labels)
        : containerJson(found.task, container, found.labels);
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };
}

/** A malformed escape is just a name that matches nothing (404), not an error. */
function safeDecode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return "";
  }
}

function iso(seconds: number | undefined): string | undefined {
  return seconds === undefined ? undefined : new Date(seconds * 1000).toISOString();
}

function containerJson(
  task: TaskRecord,
  c: TaskRecord["containers"][number],
  labels: (name: string) => Record<string, string>,
) {
  return {
    DockerId: `${task.taskId}-${c.name}`,
    Name: c.name,
    DockerName: `ecs-${c.name}-${task.taskId}`,
    Image: c.image,
    ImageID: c.imageDigest ?? "",
    Ports: c.networkBindings.map((b) => ({
      ContainerPort: b.containerPort,
      Protocol: b.protocol,
      HostPort: b.hostPort,
      HostIp: b.bindIP,
    })),
    Labels: {
      "com.amazonaws.ecs.cluster": task.clusterArn,
      "com.amazonaws.ecs.container-name": c.name,
      "com.amazonaws.ecs.task-arn": task.taskArn,
      "com.amazonaws.ecs.task-definition-family": task.taskDefinitionArn.replace(
        /.*task-definition\/([^:]+):.*/,
        "$1",
      ),
      "com.amazonaws.ecs.task-definition-version": task.taskDefinitionArn.replace(/.*:/, ""),
      ...labels(c.name),
    },
    DesiredStatus: task.desiredStatus,
    KnownStatus: c.lastStatus,
    ...(c.exitCode !== undefined ? { ExitCode: c.exitCode } : {}),
    Limits: { CPU: c.cpu ?? 0, Memory: c.memory ?? 0 },
    CreatedAt: iso(task.createdAt),
    StartedAt: iso(task.startedAt),
    Type: "NORMAL",
    ContainerARN: c.containerArn,
    Networks: [{ NetworkMode: "bridge", IPv4Addresses: ["127.0.0.1"] }],
  };
}

function taskJson(
  task: TaskRecord,
  td: TaskDefinitionRecord | undefined,
  labels: (name: string) => Record<string, string>,
) {
  return {
    Cluster: task.clusterArn,
    TaskARN: task.taskArn,
    Family: td?.family,
    Revision: td ? String(td.revision) : undefined,
    DesiredStatus: task.desiredStatus,
    KnownStatus: task.lastStatus,
    Limits: { CPU: Number(task.cpu ?? 0) / 1024, Memory: Number(task.memory ?? 0) },
    PullStartedAt: iso(task.pullStartedAt),
    PullStoppedAt: iso(task.pullStoppedAt),
    AvailabilityZone: "local",
    LaunchType: "EC2",
    Containers: task.containers.map((c) => containerJson(task, c, labels)),
  };
}
