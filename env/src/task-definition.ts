import { serviceName } from "./names.js";
import type { AppName, EnvironmentName, ServiceSpec } from "./schema.js";

// A service's ECS task definition, made from the spec: the first revision the Pulumi program
// (infra/aws) registers and the one `npm start` registers on the local region come from here, so
// the two can't drift. What has to differ between them is an input; everything else is the spec's.

/** The awslogs driver's mode, said explicitly: a full log buffer drops lines rather than blocking the app. */
export const AWSLOGS_MODE = "non-blocking";
export const AWSLOGS_MAX_BUFFER_SIZE = "25m";

/** Container ports of the media server's WebRTC UDP sockets; ECS maps each to a dynamic host port. */
export const MEDIA_UDP_CONTAINER_PORT_BASE = 50000;

/** Open files per container: every WebSocket, upload and media socket is one. */
export const NOFILE_LIMIT = 65536;

export interface PortMapping {
  containerPort: number;
  hostPort: number;
  protocol: "tcp" | "udp";
}

export interface ContainerDefinition {
  name: string;
  image: string;
  essential: boolean;
  cpu: number;
  memory: number;
  memoryReservation: number;
  portMappings: PortMapping[];
  environment: { name: string; value: string }[];
  secrets: { name: string; valueFrom: string }[];
  stopTimeout: number;
  logConfiguration: { logDriver: "awslogs"; options: Record<string, string> };
  ulimits: { name: "nofile"; softLimit: number; hardLimit: number }[];
}

/** The fields of RegisterTaskDefinition both targets send; AWS adds the roles it creates. */
export interface TaskDefinition {
  family: string;
  networkMode: "bridge";
  requiresCompatibilities: "EC2"[];
  containerDefinitions: ContainerDefinition[];
}

export interface TaskDefinitionInputs {
  app: AppName;
  env: EnvironmentName;
  service: ServiceSpec;
  /** `<repository URI>:<tag>` or `...@sha256:...`: the account's registry, AWS's or the local region's. */
  image: string;
  /** Region of the awslogs driver and of the AWS SDKs in the container. */
  region: string;
  logGroupName: string;
  /** Secret name → valueFrom (an SSM parameter or Secrets Manager ARN, never a value). */
  secrets: Record<string, string>;
  /** Plain settings the target adds (the AWS stack: bucket name, database host, ...). */
  extraEnvironment?: Record<string, string>;
  /**
   * Containers share the host's network: the local region runs them as host processes, with no
   * container ports of their own. The media server then gets no fixed UDP container ports and binds
   * the host ports the region hands it (HOST_PORT_<port>_UDP) instead.
   */
  sharesHostNetwork?: boolean;
}

export function taskDefinition(inputs: TaskDefinitionInputs): TaskDefinition {
  return {
    ...taskDefinitionFields(inputs.app, inputs.env),
    containerDefinitions: [containerDefinition(inputs)],
  };
}

/** The task-level fields: they depend on the service alone, so Pulumi knows them before any output. */
export function taskDefinitionFields(
  app: AppName,
  env: EnvironmentName,
): Omit<TaskDefinition, "containerDefinitions"> {
  // Bridge mode with dynamic host ports: what the ALB's instance targets need.
  return { family: serviceName(app, env), networkMode: "bridge", requiresCompatibilities: ["EC2"] };
}

export function containerDefinition(inputs: TaskDefinitionInputs): ContainerDefinition {
  const { service } = inputs;
  return {
    name: inputs.app,
    image: inputs.image,
    essential: true,
    cpu: service.cpu,
    // Hard limit: a task that exceeds it is killed instead of starving its neighbours (qa shares
    // instances with prod). The reservation is what the scheduler places by.
    memory: service.memory,
    memoryReservation: service.memoryReservation,
    portMappings: portMappings(service),
    environment: sortedPairs(containerEnvironment(inputs)).map(([name, value]) => ({ name, value })),
    secrets: sortedPairs(inputs.secrets).map(([name, valueFrom]) => ({ name, valueFrom })),
    stopTimeout: service.stopTimeoutSeconds,
    logConfiguration: {
      logDriver: "awslogs",
      options: {
        "awslogs-group": inputs.logGroupName,
        "awslogs-region": inputs.region,
        "awslogs-stream-prefix": inputs.app,
        mode: AWSLOGS_MODE,
        "max-buffer-size": AWSLOGS_MAX_BUFFER_SIZE,
      },
    },
    ulimits: [{ name: "nofile", softLimit: NOFILE_LIMIT, hardLimit: NOFILE_LIMIT }],
  };
}

export function portMappings(service: ServiceSpec): PortMapping[] {
  // hostPort 0: Docker picks a free host port from the ephemeral range, so a new task can start beside the
  // old one on the same instance during a deploy.
  const http: PortMapping = { containerPort: service.containerPort, hostPort: 0, protocol: "tcp" };
  const media = Array.from({ length: service.mediaUdpPortCount ?? 0 }, (_, i) => ({
    containerPort: MEDIA_UDP_CONTAINER_PORT_BASE + i,
    hostPort: 0,
    protocol: "udp" as const,
  }));
  return [http, ...media];
}

/** What the apps read: the spec's variables, the target's, then the ones every service gets. */
export function containerEnvironment(inputs: TaskDefinitionInputs): Record<string, string> {
  return {
    ...inputs.service.environment,
    ...inputs.extraEnvironment,
    ...(inputs.sharesHostNetwork ? {} : mediaUdpPorts(inputs.service)),
    PORT: String(inputs.service.containerPort),
    ENVIRONMENT: inputs.env,
    AWS_REGION: inputs.region,
  };
}

function mediaUdpPorts(service: ServiceSpec): Record<string, string> {
  const count = service.mediaUdpPortCount;
  if (!count) return {};
  return { MEDIA_UDP_PORTS: `${MEDIA_UDP_CONTAINER_PORT_BASE}-${MEDIA_UDP_CONTAINER_PORT_BASE + count - 1}` };
}

function sortedPairs(record: Record<string, string>): [string, string][] {
  return Object.entries(record).sort(([a], [b]) => a.localeCompare(b));
}
