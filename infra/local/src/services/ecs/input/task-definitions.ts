import type {
  ContainerRequest,
  PortMappingRequest,
  TaskDefinitionRequest,
} from "../model/task-definition-input.js";
import { list, object, optionalBool, optionalInt, optionalString, stringList, stringMap } from "./values.js";

// RegisterTaskDefinition's JSON read into the model's typed request: each member's type and range.

export function taskDefinitionRequest(input: Record<string, unknown>): TaskDefinitionRequest {
  return {
    family: optionalString(input.family, "family"),
    networkMode: optionalString(input.networkMode, "networkMode"),
    containerDefinitions: list(input.containerDefinitions, "containerDefinitions").map((c, i) =>
      containerRequest(object(c, `containerDefinitions[${i}]`)),
    ),
    cpu: optionalString(input.cpu, "cpu"),
    memory: optionalString(input.memory, "memory"),
    taskRoleArn: optionalString(input.taskRoleArn, "taskRoleArn"),
    executionRoleArn: optionalString(input.executionRoleArn, "executionRoleArn"),
    requiresCompatibilities: stringList(input.requiresCompatibilities, "requiresCompatibilities"),
  };
}

function containerRequest(c: Record<string, unknown>): ContainerRequest {
  const name = String(c.name);
  return {
    name: optionalString(c.name, "Container.name"),
    image: optionalString(c.image, `Container.image for container '${name}'`),
    memory: optionalInt(c.memory, `Container.memory for container '${name}'`, 6, 1_000_000),
    memoryReservation: optionalInt(
      c.memoryReservation,
      `Container.memoryReservation for container '${name}'`,
      6,
      1_000_000,
    ),
    portMappings: list(c.portMappings, "portMappings").map((p, i) =>
      portMappingRequest(object(p, `portMappings[${i}]`), name),
    ),
    essential: optionalBool(c.essential, "essential"),
    environment: list(c.environment, "environment").map((e) => {
      const o = object(e, `environment of container '${name}'`);
      return {
        name: optionalString(o.name, "environment.name"),
        value: typeof o.value === "string" ? o.value : "",
      };
    }),
    secrets: list(c.secrets, "secrets").map((s) => {
      const o = object(s, `secrets of container '${name}'`);
      return {
        name: optionalString(o.name, "secrets.name"),
        valueFrom: optionalString(o.valueFrom, "secrets.valueFrom"),
      };
    }),
    cpu: optionalInt(c.cpu, `Container.cpu for container '${name}'`, 0, 10240),
    entryPoint: c.entryPoint === undefined ? undefined : stringList(c.entryPoint, "entryPoint"),
    command: c.command === undefined ? undefined : stringList(c.command, "command"),
    workingDirectory: optionalString(c.workingDirectory, "workingDirectory"),
    stopTimeout: optionalInt(c.stopTimeout, `stopTimeout for container '${name}'`, 2, 120),
    logConfiguration: c.logConfiguration === undefined ? undefined : logConfiguration(c.logConfiguration),
    dockerLabels: c.dockerLabels === undefined ? undefined : stringMap(c.dockerLabels, "dockerLabels"),
    healthCheck: c.healthCheck === undefined ? undefined : object(c.healthCheck, "healthCheck"),
  };
}

function portMappingRequest(p: Record<string, unknown>, container: string): PortMappingRequest {
  return {
    containerPort: optionalInt(p.containerPort, `containerPort for container '${container}'`, 0, 65535),
    hostPort: optionalInt(p.hostPort, `hostPort for container '${container}'`, 0, 65535),
    protocol: optionalString(p.protocol, "protocol"),
    name: optionalString(p.name, "portMappings.name"),
  };
}

function logConfiguration(value: unknown): ContainerRequest["logConfiguration"] {
  const o = object(value, "logConfiguration");
  return {
    logDriver: optionalString(o.logDriver, "logConfiguration.logDriver"),
    options: o.options === undefined ? undefined : stringMap(o.options, "logConfiguration.options"),
  };
}
