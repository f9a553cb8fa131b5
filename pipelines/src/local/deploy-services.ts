import {
  type ContainerDefinition,
  CreateServiceCommand,
  type DeploymentConfiguration,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  type LoadBalancer,
  RegisterTaskDefinitionCommand,
  type Service,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import {
  type AppName,
  type DeploymentSpec,
  deploymentAlarmNames,
  type EnvironmentName,
  logGroupName,
  type PlatformSpec,
  serviceDeployment,
  type TaskDefinition,
  taskDefinition,
} from "@platform/env";
import { scalingMetricCadence } from "./autoscaling.js";
import { CLUSTER, objectsBucket } from "./bootstrap.js";
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
  /** For a traffic-shifting service: green's group and the rules ECS moves weights on. */
  trafficShift?: TrafficShift | undefined;
}

export interface TrafficShift {
  alternateTargetGroupArn: string;
  productionListenerRule: string;
  testListenerRule: string;
}

/** The ECS infrastructure role for load balancers (infra/aws/src/load-balancer-role.ts on AWS). */
const LOAD_BALANCER_ROLE_ARN = "arn:aws:iam::000000000000:role/ecs-infrastructure-load-balancers";

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
    // The API's objects and the media server's recordings in the environment's bucket, as on AWS:
    // the same S3 code path.
    extraEnvironment:
      t.app === "api"
        ? { OBJECTS_BUCKET: objectsBucket(t.env), ...demandCadence(spec) }
        : { RECORDINGS_BUCKET: objectsBucket(t.env) },
    sharesHostNetwork: true,
  });
}

/** The API's demand metrics at the scaling alarms' cadence, when the spec shortens them. */
function demandCadence(spec: PlatformSpec): Record<string, string> {
  const cadence = scalingMetricCadence(spec);
  if (!cadence) return {};
  return { METRICS_STORAGE_RESOLUTION: "1", METRICS_INTERVAL_SECONDS: String(cadence.intervalMs / 1000) };
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
  const deploymentConfiguration = guardedDeployments(t, serviceDeployment(spec, t.app, t.env));
  const loadBalancers = current && loadBalancersToConvert(current, t, svc.containerPort);
  if (current?.taskDefinition) {
    const td = await clients.ecs.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: current.taskDefinition }),
    );
    if (sameContainer(td.taskDefinition?.containerDefinitions?.[0], definition.containerDefinitions[0])) {
      // A service created before its alarms, or under another strategy, gets the spec's settings.
      if (loadBalancers || !sameSettings(current.deploymentConfiguration, deploymentConfiguration)) {
        await clients.ecs.send(
          new UpdateServiceCommand({
            cluster: CLUSTER,
            service: t.name,
            deploymentConfiguration,
            ...(loadBalancers ? { loadBalancers } : {}),
          }),
        );
        say(`updated ${t.name}: ${deploymentConfiguration.strategy} deployments`);
      }
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
        ...(loadBalancers ? { loadBalancers } : {}),
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
      loadBalancers: [serviceLoadBalancer(t, t.targetGroupArn, svc.containerPort)],
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

/** The service's load balancer; a traffic-shifting one names green's group and the two rules. */
function serviceLoadBalancer(t: ServiceTarget, liveGroup: string, containerPort: number): LoadBalancer {
  return {
    targetGroupArn: liveGroup,
    containerName: t.app,
    containerPort,
    ...(t.trafficShift
      ? { advancedConfiguration: { ...t.trafficShift, roleArn: LOAD_BALANCER_ROLE_ARN } }
      : {}),
  };
}

/**
 * The load balancers a service that began to shift traffic needs (it was created rolling, with no
 * advancedConfiguration), keeping the group it runs in; undefined when nothing must change.
 */
function loadBalancersToConvert(
  current: Service,
  t: ServiceTarget,
  containerPort: number,
): LoadBalancer[] | undefined {
  const lb = current.loadBalancers?.[0];
  if (!t.trafficShift || !lb?.targetGroupArn || lb.advancedConfiguration) return undefined;
  const live = lb.targetGroupArn;
  const idle = live === t.targetGroupArn ? t.trafficShift.alternateTargetGroupArn : t.targetGroupArn;
  return [
    serviceLoadBalancer(
      { ...t, trafficShift: { ...t.trafficShift, alternateTargetGroupArn: idle } },
      live,
      containerPort,
    ),
  ];
}

/**
 * Deploys with both guards on: the circuit breaker for tasks that never become healthy, and the
 * service's deployment alarms (its 5xx and error-log alarms) for a version that runs but fails; the
 * strategy, bake time and hooks the spec gives the service (infra/aws sends the same, hooks aside:
 * a PAUSE hook exists only here).
 */
function guardedDeployments(t: ServiceTarget, d: DeploymentSpec): DeploymentConfiguration {
  return {
    maximumPercent: 200,
    minimumHealthyPercent: 100,
    deploymentCircuitBreaker: { enable: true, rollback: true },
    alarms: { alarmNames: deploymentAlarmNames(t.app, t.env, d), enable: true, rollback: true },
    strategy: d.strategy,
    ...(d.bakeTimeInMinutes !== undefined ? { bakeTimeInMinutes: d.bakeTimeInMinutes } : {}),
    ...(d.canaryConfiguration ? { canaryConfiguration: { ...d.canaryConfiguration } } : {}),
    ...(d.linearConfiguration ? { linearConfiguration: { ...d.linearConfiguration } } : {}),
    ...(d.lifecycleHooks?.length ? { lifecycleHooks: d.lifecycleHooks.map(ecsHook) } : {}),
  };
}

/** The spec's flat hook as ECS takes it: the timeout and its action inside timeoutConfiguration. */
export function ecsHook(h: NonNullable<DeploymentSpec["lifecycleHooks"]>[number]) {
  const timeout = {
    ...(h.timeoutInMinutes !== undefined ? { timeoutInMinutes: h.timeoutInMinutes } : {}),
    ...(h.timeoutAction !== undefined ? { action: h.timeoutAction } : {}),
  };
  return {
    targetType: h.targetType,
    lifecycleStages: [...h.lifecycleStages],
    ...(Object.keys(timeout).length > 0 ? { timeoutConfiguration: timeout } : {}),
  };
}

/** The settings we give, compared as ECS describes them (alarm names in any order, the strategy defaulted). */
function sameSettings(
  current: DeploymentConfiguration | undefined,
  wanted: DeploymentConfiguration,
): boolean {
  const pick = (c: DeploymentConfiguration | undefined) =>
    JSON.stringify([
      c?.alarms?.enable,
      c?.alarms?.rollback,
      [...(c?.alarms?.alarmNames ?? [])].sort(),
      c?.strategy ?? "ROLLING",
      c?.bakeTimeInMinutes,
      c?.canaryConfiguration?.canaryPercent,
      c?.canaryConfiguration?.canaryBakeTimeInMinutes,
      c?.linearConfiguration?.stepPercent,
      c?.linearConfiguration?.stepBakeTimeInMinutes,
    ]);
  return pick(current) === pick(wanted);
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
