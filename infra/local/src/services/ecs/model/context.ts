import { AwsError, type Durable } from "../../../contracts.js";
import { nameFromArnOrName, type Partition } from "./arns.js";
import type { ClusterRecord, EcsState, ServiceEvent, ServiceRecord, TaskDefinitionRecord } from "./types.js";
import { invalid } from "./validation.js";

/** What every part of the model works on: the durable state, the partition and a clock. */
export interface ModelContext {
  durable: Durable<EcsState>;
  partition: Partition;
  /** Epoch milliseconds. */
  clock: () => number;
}

export const stateOf = (ctx: ModelContext) => ctx.durable.state;
/** Epoch seconds, the timestamps ECS returns. */
export const nowSeconds = (ctx: ModelContext) => ctx.clock() / 1000;

export function findCluster(ctx: ModelContext, clusterRef: unknown): ClusterRecord {
  if (clusterRef !== undefined && clusterRef !== null && typeof clusterRef !== "string") {
    throw invalid("cluster must be a string.");
  }
  const name = nameFromArnOrName((clusterRef as string | undefined) || "default");
  const cluster = stateOf(ctx).clusters[name];
  if (cluster?.status !== "ACTIVE") throw new AwsError("ClusterNotFoundException", "Cluster not found.");
  return cluster;
}

export function findService(ctx: ModelContext, cluster: ClusterRecord, serviceRef: unknown): ServiceRecord {
  if (typeof serviceRef !== "string" || serviceRef === "")
    throw invalid("service must be a non-empty string.");
  const name = nameFromArnOrName(serviceRef);
  const service = Object.values(stateOf(ctx).services).find(
    (s) => s.clusterArn === cluster.clusterArn && s.serviceName === name && s.status !== "INACTIVE",
  );
  if (!service) throw new AwsError("ServiceNotFoundException", "Service not found.");
  return service;
}

export function activeService(service: ServiceRecord): ServiceRecord {
  if (service.status !== "ACTIVE") throw new AwsError("ServiceNotActiveException", "Service was not ACTIVE.");
  return service;
}

/** `family` (latest ACTIVE revision), `family:revision`, or a task definition ARN. */
export function findTaskDefinition(ctx: ModelContext, ref: unknown): TaskDefinitionRecord {
  if (typeof ref !== "string" || ref === "") throw invalid("taskDefinition must be a non-empty string.");
  const short = ref.startsWith("arn:")
    ? ref.slice(ref.indexOf("task-definition/") + "task-definition/".length)
    : ref;
  const state = stateOf(ctx);
  if (short.includes(":")) {
    const found = state.taskDefinitions[short];
    if (!found) throw new AwsError("ClientException", "Unable to describe task definition.");
    return found;
  }
  const latest = Object.values(state.taskDefinitions)
    .filter((td) => td.family === short && td.status === "ACTIVE")
    .sort((a, b) => b.revision - a.revision)[0];
  if (!latest) throw new AwsError("ClientException", "Unable to describe task definition.");
  return latest;
}

const MAX_EVENTS = 100;

export function addEvent(ctx: ModelContext, service: ServiceRecord, message: string): void {
  const event: ServiceEvent = { id: crypto.randomUUID(), createdAt: nowSeconds(ctx), message };
  service.events.unshift(event);
  service.events.length = Math.min(service.events.length, MAX_EVENTS);
}
