import { type AlarmStates, AwsError, type ListenerRules } from "../../../contracts.js";
import { nameFromArnOrName, type Partition } from "./arns.js";
import type {
  ClusterRecord,
  EcsState,
  Failure,
  ServiceEvent,
  ServiceRecord,
  TaskDefinitionRecord,
} from "./types.js";
import { checkString } from "./validation.js";

/** What every part of the model works on: the state, the partition and a clock. */
export interface ModelContext {
  state: EcsState;
  partition: Partition;
  /** Epoch milliseconds. */
  clock: () => number;
  /** CloudWatch's alarm states, for the deployment alarms. */
  alarms: AlarmStates;
  /** ELBv2's listener rules, whose weights blue/green, canary and linear deployments move. */
  traffic: ListenerRules;
  /** The region's cap on bake times in seconds (the spec's local.maxDeploymentBakeSeconds). */
  maxBakeSeconds?: number | undefined;
}

export const stateOf = (ctx: ModelContext) => ctx.state;
/** Epoch seconds, the timestamps ECS returns. */
export const nowSeconds = (ctx: ModelContext) => ctx.clock() / 1000;

/** A cluster by name or ARN; `default` when none is named. */
export function findCluster(ctx: ModelContext, clusterRef: string | undefined): ClusterRecord {
  const name = nameFromArnOrName(clusterRef || "default");
  const cluster = stateOf(ctx).clusters[name];
  if (cluster?.status !== "ACTIVE") throw new AwsError("ClusterNotFoundException", "Cluster not found.");
  return cluster;
}

export function findService(
  ctx: ModelContext,
  cluster: ClusterRecord,
  serviceRef: string | undefined,
): ServiceRecord {
  const name = nameFromArnOrName(checkString(serviceRef, "service"));
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
export function findTaskDefinition(ctx: ModelContext, ref: string | undefined): TaskDefinitionRecord {
  const arnOrName = checkString(ref, "taskDefinition");
  const short = arnOrName.startsWith("arn:")
    ? arnOrName.slice(arnOrName.indexOf("task-definition/") + "task-definition/".length)
    : arnOrName;
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

/** A Describe operation's lookups: what each reference finds, and a MISSING failure for the rest. */
export function lookUp<T>(
  refs: string[],
  find: (ref: string) => T | undefined,
  arnOf: (ref: string) => string = (ref) => ref,
): { found: T[]; failures: Failure[] } {
  const found: T[] = [];
  const failures: Failure[] = [];
  for (const ref of refs) {
    const record = find(ref);
    if (record) found.push(record);
    else failures.push({ arn: arnOf(ref), reason: "MISSING" });
  }
  return { found, failures };
}

const MAX_EVENTS = 100;

export function addEvent(ctx: ModelContext, service: ServiceRecord, message: string): void {
  const event: ServiceEvent = { id: crypto.randomUUID(), createdAt: nowSeconds(ctx), message };
  service.events.unshift(event);
  service.events.length = Math.min(service.events.length, MAX_EVENTS);
}
