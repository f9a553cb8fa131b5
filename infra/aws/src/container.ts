import type { AppName, EnvironmentName, ServiceSpec } from "@platform/env";

// The container definition of one service, as plain data (pure, so its rules are unit-tested).

/** The awslogs driver's mode, said explicitly: a full log buffer drops lines rather than blocking the app. */
export const AWSLOGS_MODE = "non-blocking";
export const AWSLOGS_MAX_BUFFER_SIZE = "25m";

/** Container ports of the media server's WebRTC UDP sockets; ECS maps each to a dynamic host port. */
export const MEDIA_UDP_CONTAINER_PORT_BASE = 50000;

export interface PortMapping {
  containerPort: number;
  hostPort: number;
  protocol: "tcp" | "udp";
}

export interface ContainerInputs {
  app: AppName;
  env: EnvironmentName;
  service: ServiceSpec;
  image: string;
  region: string;
  logGroupName: string;
  /** Secret name → valueFrom (an SSM parameter or Secrets Manager ARN, never a value). */
  secrets: Record<string, string>;
  /** Plain settings the stack adds (bucket name, database host, ...). */
  extraEnvironment: Record<string, string>;
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

export function containerEnvironment(inputs: ContainerInputs): Record<string, string> {
  const count = inputs.service.mediaUdpPortCount;
  const media: Record<string, string> = count
    ? { MEDIA_UDP_PORTS: `${MEDIA_UDP_CONTAINER_PORT_BASE}-${MEDIA_UDP_CONTAINER_PORT_BASE + count - 1}` }
    : {};
  return {
    ...inputs.service.environment,
    ...inputs.extraEnvironment,
    ...media,
    PORT: String(inputs.service.containerPort),
    ENVIRONMENT: inputs.env,
    AWS_REGION: inputs.region,
  };
}

export function containerDefinition(inputs: ContainerInputs) {
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
    environment: Object.entries(containerEnvironment(inputs))
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, value]) => ({ name, value })),
    secrets: Object.entries(inputs.secrets)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, valueFrom]) => ({ name, valueFrom })),
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
    ulimits: [{ name: "nofile", softLimit: 65536, hardLimit: 65536 }],
  };
}
