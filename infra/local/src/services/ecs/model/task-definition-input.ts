import type { ContainerDefinition, LogConfiguration, PortMapping } from "./types.js";
import { checkName, checkString, client, invalid } from "./validation.js";

// The task definition a RegisterTaskDefinition request describes, with ECS's defaults and rules
// (ClientException for a definition that can't run, InvalidParameterException for a bad field).
// The request is typed; input/task-definitions.ts reads it from the wire.

export interface TaskDefinitionRequest {
  family?: string | undefined;
  networkMode?: string | undefined;
  containerDefinitions?: ContainerRequest[] | undefined;
  cpu?: string | undefined;
  memory?: string | undefined;
  taskRoleArn?: string | undefined;
  executionRoleArn?: string | undefined;
  requiresCompatibilities?: string[] | undefined;
}

export interface ContainerRequest {
  name?: string | undefined;
  image?: string | undefined;
  cpu?: number | undefined;
  memory?: number | undefined;
  memoryReservation?: number | undefined;
  essential?: boolean | undefined;
  entryPoint?: string[] | undefined;
  command?: string[] | undefined;
  workingDirectory?: string | undefined;
  environment?: { name?: string | undefined; value?: string | undefined }[] | undefined;
  secrets?: { name?: string | undefined; valueFrom?: string | undefined }[] | undefined;
  portMappings?: PortMappingRequest[] | undefined;
  stopTimeout?: number | undefined;
  logConfiguration?: { logDriver?: string | undefined; options?: Record<string, string> | undefined };
  dockerLabels?: Record<string, string> | undefined;
  healthCheck?: Record<string, unknown> | undefined;
}

export interface PortMappingRequest {
  containerPort?: number | undefined;
  hostPort?: number | undefined;
  protocol?: string | undefined;
  name?: string | undefined;
}

export interface TaskDefinitionInput {
  family: string;
  containerDefinitions: ContainerDefinition[];
  networkMode: NetworkMode;
  cpu?: string;
  memory?: string;
  taskRoleArn?: string;
  executionRoleArn?: string;
  requiresCompatibilities: string[];
}

const NETWORK_MODES = ["bridge", "host", "awsvpc", "none"] as const;
type NetworkMode = (typeof NETWORK_MODES)[number];

export function parseTaskDefinitionInput(request: TaskDefinitionRequest): TaskDefinitionInput {
  const family = checkName(request.family, "Family");
  const networkMode = networkModeOf(request.networkMode ?? "bridge");
  const containers = request.containerDefinitions ?? [];
  if (containers.length === 0) throw client("Container list cannot be empty.");
  const cpu = taskSize(request.cpu, "cpu");
  const memory = taskSize(request.memory, "memory");
  const containerDefinitions = containers.map((c) => containerOf(c, networkMode));
  checkContainers(containerDefinitions, memory);
  return {
    family,
    containerDefinitions,
    networkMode,
    ...(cpu ? { cpu } : {}),
    ...(memory ? { memory } : {}),
    ...optionalField("taskRoleArn", request.taskRoleArn),
    ...optionalField("executionRoleArn", request.executionRoleArn),
    requiresCompatibilities: request.requiresCompatibilities ?? [],
  };
}

function networkModeOf(mode: string): NetworkMode {
  const known = NETWORK_MODES.find((m) => m === mode);
  if (!known) {
    throw invalid(`networkMode must be one of ${NETWORK_MODES.join(", ")}; got ${JSON.stringify(mode)}.`);
  }
  return known;
}

function optionalField<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

/** Task-level cpu/memory: "512", "1024", or "1 vCPU" / "2 GB". */
function taskSize(value: string | undefined, what: "cpu" | "memory"): string | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+(\s*(vcpu|gb))?$/i.test(value.trim())) {
    throw client(`Invalid '${what}' setting for task: ${JSON.stringify(value)}.`);
  }
  return value.trim();
}

function containerOf(c: ContainerRequest, networkMode: NetworkMode): ContainerDefinition {
  const name = checkName(c.name, "Container");
  const image = checkString(c.image, `Container.image for container '${name}'`);
  if (c.memory !== undefined && c.memoryReservation !== undefined && c.memoryReservation > c.memory) {
    throw client(
      `Invalid setting for container '${name}'. The memory reservation must be less than or equal to memory (hard limit).`,
    );
  }
  const def: ContainerDefinition = {
    name,
    image,
    essential: c.essential ?? true,
    environment: (c.environment ?? []).map((e) => ({
      name: checkString(e.name, "environment.name"),
      value: e.value ?? "",
    })),
    secrets: (c.secrets ?? []).map((s) => ({
      name: checkString(s.name, "secrets.name"),
      valueFrom: checkString(s.valueFrom, "secrets.valueFrom"),
    })),
    portMappings: (c.portMappings ?? []).map((p) => portMappingOf(p, name, networkMode)),
  };
  if (c.cpu !== undefined) def.cpu = c.cpu;
  if (c.memory !== undefined) def.memory = c.memory;
  if (c.memoryReservation !== undefined) def.memoryReservation = c.memoryReservation;
  if (c.entryPoint !== undefined) def.entryPoint = c.entryPoint;
  if (c.command !== undefined) def.command = c.command;
  if (c.workingDirectory !== undefined) def.workingDirectory = c.workingDirectory;
  if (c.stopTimeout !== undefined) def.stopTimeout = c.stopTimeout;
  if (c.logConfiguration !== undefined) def.logConfiguration = logConfigurationOf(c.logConfiguration);
  if (c.dockerLabels !== undefined) def.dockerLabels = c.dockerLabels;
  if (c.healthCheck !== undefined) def.healthCheck = c.healthCheck;
  return def;
}

function portMappingOf(p: PortMappingRequest, container: string, networkMode: NetworkMode): PortMapping {
  if (p.containerPort === undefined)
    throw invalid(`containerPort is required in portMappings of container '${container}'.`);
  const protocol = (p.protocol ?? "tcp").toLowerCase();
  if (protocol !== "tcp" && protocol !== "udp") {
    throw invalid(`protocol must be tcp or udp; got ${JSON.stringify(p.protocol)}.`);
  }
  // In host and awsvpc mode the host port is the container port (ECS rejects a different one).
  const hostPort = networkMode === "bridge" ? (p.hostPort ?? 0) : (p.hostPort ?? p.containerPort);
  if (networkMode !== "bridge" && hostPort !== p.containerPort) {
    throw client(`When networkMode=${networkMode}, containerPort and hostPort must match.`);
  }
  const mapping: PortMapping = { containerPort: p.containerPort, hostPort, protocol };
  if (p.name !== undefined) mapping.name = p.name;
  return mapping;
}

function logConfigurationOf(o: NonNullable<ContainerRequest["logConfiguration"]>): LogConfiguration {
  const logDriver = checkString(o.logDriver, "logConfiguration.logDriver");
  return o.options === undefined ? { logDriver } : { logDriver, options: o.options };
}

function checkContainers(containers: ContainerDefinition[], taskMemory: string | undefined): void {
  const names = new Set<string>();
  for (const c of containers) {
    if (names.has(c.name)) throw client(`Duplicate container name '${c.name}' in task definition.`);
    names.add(c.name);
    if (taskMemory === undefined && c.memory === undefined && c.memoryReservation === undefined) {
      throw client(
        `Invalid setting for container '${c.name}'. At least one of 'memory' or 'memoryReservation' must be specified.`,
      );
    }
  }
  if (!containers.some((c) => c.essential)) {
    throw client("Task definition must have at least one essential container.");
  }
}
