import type { ContainerDefinition, KeyValue, LogConfiguration, PortMapping, SecretRef } from "./types.js";
import {
  checkName,
  checkString,
  client,
  invalid,
  list,
  object,
  optionalBool,
  optionalInt,
  optionalString,
  stringList,
} from "./validation.js";

// RegisterTaskDefinition's input, validated the way ECS does (ClientException for a definition
// that can't run, InvalidParameterException for malformed fields).

export interface TaskDefinitionInput {
  family: string;
  containerDefinitions: ContainerDefinition[];
  networkMode: "bridge" | "host" | "awsvpc" | "none";
  cpu?: string;
  memory?: string;
  taskRoleArn?: string;
  executionRoleArn?: string;
  requiresCompatibilities: string[];
}

const NETWORK_MODES = ["bridge", "host", "awsvpc", "none"] as const;

export function parseTaskDefinitionInput(input: Record<string, unknown>): TaskDefinitionInput {
  const family = checkName(input.family, "Family");
  const networkMode = (optionalString(input.networkMode, "networkMode") ??
    "bridge") as TaskDefinitionInput["networkMode"];
  if (!NETWORK_MODES.includes(networkMode)) {
    throw invalid(
      `networkMode must be one of ${NETWORK_MODES.join(", ")}; got ${JSON.stringify(networkMode)}.`,
    );
  }
  const containersIn = list(input.containerDefinitions, "containerDefinitions");
  if (containersIn.length === 0) throw client("Container list cannot be empty.");
  const cpu = taskSize(input.cpu, "cpu");
  const memory = taskSize(input.memory, "memory");
  const containerDefinitions = containersIn.map((c, i) =>
    parseContainer(object(c, `containerDefinitions[${i}]`), networkMode),
  );
  checkContainers(containerDefinitions, memory);
  return {
    family,
    containerDefinitions,
    networkMode,
    ...(cpu ? { cpu } : {}),
    ...(memory ? { memory } : {}),
    ...optionalField("taskRoleArn", optionalString(input.taskRoleArn, "taskRoleArn")),
    ...optionalField("executionRoleArn", optionalString(input.executionRoleArn, "executionRoleArn")),
    requiresCompatibilities: stringList(input.requiresCompatibilities, "requiresCompatibilities"),
  };
}

function optionalField<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

/** Task-level cpu/memory are strings: "512", "1024", or "1 vCPU" / "2 GB". */
function taskSize(value: unknown, what: "cpu" | "memory"): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string" || !/^\d+(\s*(vcpu|gb))?$/i.test(value.trim())) {
    throw client(`Invalid '${what}' setting for task: ${JSON.stringify(value)}.`);
  }
  return value.trim();
}

function parseContainer(c: Record<string, unknown>, networkMode: string): ContainerDefinition {
  const name = checkName(c.name, "Container");
  const image = checkString(c.image, `Container.image for container '${name}'`);
  const memory = optionalInt(c.memory, `Container.memory for container '${name}'`, 6, 1_000_000);
  const memoryReservation = optionalInt(
    c.memoryReservation,
    `Container.memoryReservation for container '${name}'`,
    6,
    1_000_000,
  );
  if (memory !== undefined && memoryReservation !== undefined && memoryReservation > memory) {
    throw client(
      `Invalid setting for container '${name}'. The memory reservation must be less than or equal to memory (hard limit).`,
    );
  }
  const portMappings = list(c.portMappings, "portMappings").map((p, i) =>
    parsePortMapping(object(p, `portMappings[${i}]`), name, networkMode),
  );
  const def: ContainerDefinition = {
    name,
    image,
    essential: optionalBool(c.essential, "essential") ?? true,
    environment: list(c.environment, "environment").map((e) => keyValue(e, name)),
    secrets: list(c.secrets, "secrets").map((s) => secretRef(s, name)),
    portMappings,
  };
  const cpu = optionalInt(c.cpu, `Container.cpu for container '${name}'`, 0, 10240);
  if (cpu !== undefined) def.cpu = cpu;
  if (memory !== undefined) def.memory = memory;
  if (memoryReservation !== undefined) def.memoryReservation = memoryReservation;
  if (c.entryPoint !== undefined) def.entryPoint = stringList(c.entryPoint, "entryPoint");
  if (c.command !== undefined) def.command = stringList(c.command, "command");
  const workingDirectory = optionalString(c.workingDirectory, "workingDirectory");
  if (workingDirectory !== undefined) def.workingDirectory = workingDirectory;
  const stopTimeout = optionalInt(c.stopTimeout, `stopTimeout for container '${name}'`, 2, 120);
  if (stopTimeout !== undefined) def.stopTimeout = stopTimeout;
  if (c.logConfiguration !== undefined)
    def.logConfiguration = logConfiguration(object(c.logConfiguration, "logConfiguration"));
  if (c.dockerLabels !== undefined) def.dockerLabels = stringMap(c.dockerLabels, "dockerLabels");
  if (c.healthCheck !== undefined) def.healthCheck = object(c.healthCheck, "healthCheck");
  return def;
}

function parsePortMapping(p: Record<string, unknown>, container: string, networkMode: string): PortMapping {
  const containerPort = optionalInt(p.containerPort, `containerPort for container '${container}'`, 0, 65535);
  if (containerPort === undefined)
    throw invalid(`containerPort is required in portMappings of container '${container}'.`);
  const hostPortIn = optionalInt(p.hostPort, `hostPort for container '${container}'`, 0, 65535);
  const protocol = (optionalString(p.protocol, "protocol") ?? "tcp").toLowerCase();
  if (protocol !== "tcp" && protocol !== "udp") {
    throw invalid(`protocol must be tcp or udp; got ${JSON.stringify(p.protocol)}.`);
  }
  // In host and awsvpc mode the host port is the container port (ECS rejects a different one).
  const hostPort = networkMode === "bridge" ? (hostPortIn ?? 0) : (hostPortIn ?? containerPort);
  if (networkMode !== "bridge" && hostPort !== containerPort) {
    throw client(`When networkMode=${networkMode}, containerPort and hostPort must match.`);
  }
  const mapping: PortMapping = { containerPort, hostPort, protocol };
  const name = optionalString(p.name, "portMappings.name");
  if (name !== undefined) mapping.name = name;
  return mapping;
}

function keyValue(e: unknown, container: string): KeyValue {
  const o = object(e, `environment of container '${container}'`);
  return { name: checkString(o.name, "environment.name"), value: typeof o.value === "string" ? o.value : "" };
}

function secretRef(s: unknown, container: string): SecretRef {
  const o = object(s, `secrets of container '${container}'`);
  return {
    name: checkString(o.name, "secrets.name"),
    valueFrom: checkString(o.valueFrom, "secrets.valueFrom"),
  };
}

function logConfiguration(o: Record<string, unknown>): LogConfiguration {
  const logDriver = checkString(o.logDriver, "logConfiguration.logDriver");
  return o.options === undefined
    ? { logDriver }
    : { logDriver, options: stringMap(o.options, "logConfiguration.options") };
}

function stringMap(value: unknown, what: string): Record<string, string> {
  const o = object(value, what);
  for (const [k, v] of Object.entries(o))
    if (typeof v !== "string") throw invalid(`${what}.${k} must be a string.`);
  return o as Record<string, string>;
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
