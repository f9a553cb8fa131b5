import {
  type ContainerDefinition,
  CreateServiceCommand,
  type DeploymentConfiguration,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import {
  type AppName,
  deploymentAlarmNames,
  type EnvironmentName,
  logGroupName,
  type PlatformSpec,
  type TaskDefinition,
  taskDefinition,
} from "@platform/env";
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

/** The spec's task definition (the same function the Pulumi program uses), as the local region runs it. */
export function localTaskDefinition(spec: PlatformSpec, t: ServiceTarget): TaskDefinition {
  return taskDefinition({
    app: t.app,
    env: t.env,
    service: spec.environments[t.env].services[t.app],
    image: t.image,
    region: spec.region,
    logGroupName: logGroupName(t.app, t.env),
    secrets: t.secrets,
    sharesHostNetwork: true,
  });
}

/** Creates the service, or registers and deploys a new revision when the container changed. */
export async function ensureService(
  clients: Clients,
  spec: PlatformSpec,
  t: ServiceTarget,
  say: (line: string) => void,
): Promise<"created" | "deployed" | "unchanged"> {
  const svc = spec.environments[t.env].services[t.app];
  const definition = localTaskDefinition(spec, t);
  const found = await clients.ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: [t.name] }));
  const current = found.services?.find((s) => s.status === "ACTIVE");
  const deploymentConfiguration = guardedDeployments(t);
  if (current?.taskDefinition) {
    const td = await clients.ecs.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: current.taskDefinition }),
    );
    if (sameContainer(td.taskDefinition?.containerDefinitions?.[0], definition.containerDefinitions[0])) {
      // Services created before their alarms existed get them; ECS starts no deployment for this.
      if (!sameAlarms(current.deploymentConfiguration, deploymentConfiguration))
        await clients.ecs.send(
          new UpdateServiceCommand({ cluster: CLUSTER, service: t.name, deploymentConfiguration }),
        );
      return "unchanged";
    }
  }
  const registered = await clients.ecs.send(
    new RegisterTaskDefinitionCommand({ ...definition, taskRoleArn: localTaskRoleArn(t.name) }),
  );
  const revision = registered.taskDefinition?.taskDefinitionArn as string;
  if (current) {
    await clients.ecs.send(
      new UpdateServiceCommand({
        cluster: CLUSTER,
        service: t.name,
        taskDefinition: revision,
        deploymentConfiguration,
      }),
    );
    say(`deploying ${t.name} ${shortImage(t.image)} (${revision.split("/").pop()})`);
    return "deployed";
  }
  await clients.ecs.send(
    new CreateServiceCommand({
      cluster: CLUSTER,
      serviceName: t.name,
      taskDefinition: revision,
      desiredCount: svc.desiredCount,
      launchType: "EC2",
      loadBalancers: [
        { targetGroupArn: t.targetGroupArn, containerName: t.app, containerPort: svc.containerPort },
      ],
      healthCheckGracePeriodSeconds: svc.healthCheckGracePeriodSeconds,
      deploymentConfiguration,
    }),
  );
  say(`created service ${t.name} ${shortImage(t.image)}`);
  return "created";
}

/**
 * As on AWS, a task with a role gets credentials from the container credentials endpoint: this is
 * what lets the apps' SDK clients (metrics, logs) reach the local region with no configuration.
 */
function localTaskRoleArn(service: string): string {
  return `arn:aws:iam::000000000000:role/${service}-task`;
}

/**
 * Rolling deploys with both guards on: the circuit breaker for tasks that never become healthy, and
 * the service's deployment alarms (its 5xx and error-log alarms) for a version that runs but fails.
 */
function guardedDeployments(t: ServiceTarget): DeploymentConfiguration {
  return {
    maximumPercent: 200,
    minimumHealthyPercent: 100,
    deploymentCircuitBreaker: { enable: true, rollback: true },
    alarms: { alarmNames: deploymentAlarmNames(t.app, t.env), enable: true, rollback: true },
  };
}

function sameAlarms(current: DeploymentConfiguration | undefined, wanted: DeploymentConfiguration): boolean {
  const names = (c: DeploymentConfiguration | undefined) =>
    JSON.stringify([c?.alarms?.enable, c?.alarms?.rollback, [...(c?.alarms?.alarmNames ?? [])].sort()]);
  return names(current) === names(wanted);
}

export function shortImage(uri: string): string {
  return uri.slice(uri.lastIndexOf("/") + 1);
}

/** Compares what we set; fields ECS adds on its own (defaults, empty lists) are ignored. */
function sameContainer(
  current: ContainerDefinition | undefined,
  wanted: ContainerDefinition | undefined,
): boolean {
  if (!current || !wanted) return false;
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
