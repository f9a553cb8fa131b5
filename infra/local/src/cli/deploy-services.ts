import {
  type ContainerDefinition,
  CreateServiceCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import type { AppName, EnvironmentName, PlatformSpec } from "@platform/env";
import { CLUSTER } from "./bootstrap.js";
import type { Clients } from "./clients.js";

// Task definitions and services from the spec. A new revision is registered only when what it would
// hold differs from the service's current one, so a restart with nothing changed deploys nothing.

export interface ServiceTarget {
  app: AppName;
  env: EnvironmentName;
  name: string;
  image: string;
  targetGroupArn: string;
  secrets: Record<string, string>;
}

export function containerDefinition(spec: PlatformSpec, t: ServiceTarget): ContainerDefinition {
  const svc = spec.environments[t.env].services[t.app];
  const udp =
    "mediaUdpPortCount" in svc && typeof svc.mediaUdpPortCount === "number" ? svc.mediaUdpPortCount : 0;
  return {
    name: t.app,
    image: t.image,
    essential: true,
    cpu: svc.cpu,
    memory: svc.memory,
    memoryReservation: svc.memoryReservation,
    stopTimeout: Math.min(svc.stopTimeoutSeconds, 120),
    portMappings: [
      { containerPort: svc.containerPort, hostPort: 0, protocol: "tcp" },
      ...Array.from({ length: udp }, (_, i) => ({
        containerPort: 50000 + i,
        hostPort: 0,
        protocol: "udp" as const,
      })),
    ],
    environment: Object.entries({ ...svc.environment, APP_ENV: t.env })
      .map(([name, value]) => ({ name, value: String(value) }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    secrets: Object.entries(t.secrets)
      .map(([name, valueFrom]) => ({ name, valueFrom }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    logConfiguration: {
      logDriver: "awslogs",
      options: {
        "awslogs-group": `/ecs/${t.name}`,
        "awslogs-region": spec.region,
        "awslogs-stream-prefix": "ecs",
        mode: "non-blocking",
      },
    },
  };
}

/** Creates the service, or registers and deploys a new revision when the container changed. */
export async function ensureService(
  clients: Clients,
  spec: PlatformSpec,
  t: ServiceTarget,
  say: (line: string) => void,
): Promise<"created" | "deployed" | "unchanged"> {
  const svc = spec.environments[t.env].services[t.app];
  const wanted = containerDefinition(spec, t);
  const found = await clients.ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [t.name] }));
  const current = found.services?.find((s) => s.status === "ACTIVE");
  if (current?.taskDefinition) {
    const td = await clients.ecs.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: current.taskDefinition }),
    );
    if (sameContainer(td.taskDefinition?.containerDefinitions?.[0], wanted)) return "unchanged";
  }
  const registered = await clients.ecs.send(
    new RegisterTaskDefinitionCommand({
      family: t.name,
      networkMode: "bridge",
      requiresCompatibilities: ["EC2"],
      containerDefinitions: [wanted],
      tags: [{ key: "image", value: t.image }],
    }),
  );
  const taskDefinition = registered.taskDefinition?.taskDefinitionArn as string;
  if (current) {
    await clients.ecs.send(new UpdateServiceCommand({ cluster: CLUSTER, service: t.name, taskDefinition }));
    say(`deploying ${t.name} ${shortImage(t.image)} (${taskDefinition.split("/").pop()})`);
    return "deployed";
  }
  await clients.ecs.send(
    new CreateServiceCommand({
      cluster: CLUSTER,
      serviceName: t.name,
      taskDefinition,
      desiredCount: svc.desiredCount,
      launchType: "EC2",
      loadBalancers: [
        { targetGroupArn: t.targetGroupArn, containerName: t.app, containerPort: svc.containerPort },
      ],
      healthCheckGracePeriodSeconds: svc.healthCheckGracePeriodSeconds,
      deploymentConfiguration: {
        maximumPercent: 200,
        minimumHealthyPercent: 100,
        deploymentCircuitBreaker: { enable: true, rollback: true },
      },
    }),
  );
  say(`created service ${t.name} ${shortImage(t.image)}`);
  return "created";
}

export function shortImage(uri: string): string {
  return uri.slice(uri.lastIndexOf("/") + 1);
}

/** Compares what we set; fields ECS adds on its own (defaults, empty lists) are ignored. */
function sameContainer(current: ContainerDefinition | undefined, wanted: ContainerDefinition): boolean {
  if (!current) return false;
  const pick = (c: ContainerDefinition) =>
    JSON.stringify({
      name: c.name,
      image: c.image,
      cpu: c.cpu,
      memory: c.memory,
      memoryReservation: c.memoryReservation,
      stopTimeout: c.stopTimeout,
      ports: c.portMappings?.map((p) => [p.containerPort, p.hostPort ?? 0, p.protocol ?? "tcp"]),
      env: c.environment?.map((e) => [e.name, e.value]),
      secrets: c.secrets?.map((s) => [s.name, s.valueFrom]),
      log: c.logConfiguration?.options,
    });
  return pick(current) === pick(wanted);
}
