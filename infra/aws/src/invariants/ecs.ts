import {
  APP_NAMES,
  type AppName,
  type DeploymentSpec,
  deploymentAlarmNames,
  type EnvironmentName,
  type ServiceSpec,
  serviceDeployment,
} from "@platform/env";
import type { InvariantContext, Violation } from "./context.js";
import {
  arnResourceName,
  list,
  obj,
  ofType,
  parseJson,
  type RecordedResource,
  str,
  TYPES,
} from "./resources.js";
import { checkServiceStrategy } from "./traffic.js";

const REQUIRED_IGNORE_CHANGES = {
  taskDefinition: "pulumi up would revert the task definition the deploy tool registered",
  desiredCount: "pulumi up would fight auto scaling over the task count",
} as const;

/** Task definitions, services and their auto scaling, for every service of an environment stack. */
export function checkEcs(
  resources: RecordedResource[],
  ctx: InvariantContext,
  env: EnvironmentName,
): Violation[] {
  return APP_NAMES.flatMap((app) => {
    const name = `${app}-${env}`;
    const spec = ctx.spec.environments[env].services[app];
    return [
      ...checkService(resources, name, app, env, spec, serviceDeployment(ctx.spec, app, env)),
      ...checkServiceStrategy(resources, ctx.spec, app, env),
      ...checkTaskDefinition(resources, name, app, spec),
      ...checkAutoScaling(resources, name, env, spec),
      ...checkLogGroup(resources, name, env, app, spec),
    ];
  });
}

/** A deploy that sets off the service's own alarms is rolled back by ECS, as the circuit breaker does for crashes. */
function checkDeploymentAlarms(
  name: string,
  app: AppName,
  env: EnvironmentName,
  deployment: DeploymentSpec,
  alarms: unknown,
): Violation[] {
  const a = obj(alarms);
  const expected = deploymentAlarmNames(app, env, deployment);
  const names = list(a.alarmNames).map(String);
  if (a.enable === true && a.rollback === true && expected.every((n) => names.includes(n))) return [];
  return [
    `service ${name}: deploymentConfiguration alarms are ${JSON.stringify(alarms ?? null)}; they must name ${expected.slice(0, -1).join(", ")} and ${expected.at(-1)} with enable and rollback, so a deploy that sets them off rolls back`,
  ];
}

function checkService(
  resources: RecordedResource[],
  name: string,
  app: AppName,
  env: EnvironmentName,
  spec: ServiceSpec,
  deployment: DeploymentSpec,
): Violation[] {
  const service = ofType(resources, TYPES.service).find((r) => r.inputs.name === name);
  if (!service) return [`service ${name}: no ECS service of that name in the stack`];
  const v: Violation[] = [];
  const i = service.inputs;
  const breaker = obj(i.deploymentCircuitBreaker);
  if (breaker.enable !== true || breaker.rollback !== true) {
    v.push(
      `service ${name}: deploymentCircuitBreaker is ${JSON.stringify(i.deploymentCircuitBreaker ?? null)}; it must be {enable: true, rollback: true} so a bad image rolls back without a human`,
    );
  }
  v.push(...checkDeploymentAlarms(name, app, env, deployment, i.alarms));
  const max = Number(i.deploymentMaximumPercent);
  if (!(max >= 200)) {
    v.push(
      `service ${name}: deploymentMaximumPercent is ${String(i.deploymentMaximumPercent)}; it needs ≥ 200 so a new task starts beside each old one`,
    );
  }
  if (i.deploymentMinimumHealthyPercent !== 100) {
    v.push(
      `service ${name}: deploymentMinimumHealthyPercent is ${String(i.deploymentMinimumHealthyPercent)}; it must be 100 so no old task stops before its replacement is healthy`,
    );
  }
  for (const [field, why] of Object.entries(REQUIRED_IGNORE_CHANGES)) {
    if (!service.ignoreChanges.includes(field))
      v.push(`service ${name}: ignoreChanges lacks "${field}"; ${why}`);
  }
  if (i.healthCheckGracePeriodSeconds !== spec.healthCheckGracePeriodSeconds) {
    v.push(
      `service ${name}: healthCheckGracePeriodSeconds is ${String(i.healthCheckGracePeriodSeconds)}; the spec says ${spec.healthCheckGracePeriodSeconds}`,
    );
  }
  if (list(i.capacityProviderStrategies).length === 0 || i.launchType !== undefined) {
    v.push(
      `service ${name}: it must place tasks through the cluster's capacity provider strategy, not a launch type`,
    );
  }
  const balancers = list(i.loadBalancers).map(obj);
  const attached = balancers.find(
    (lb) => arnResourceName(str(lb.targetGroupArn), "targetgroup") === name && lb.containerName === app,
  );
  if (!attached) {
    v.push(`service ${name}: not attached to target group ${name} (container ${app})`);
  } else if (attached.containerPort !== spec.containerPort) {
    v.push(
      `service ${name}: load balancer sends to container port ${String(attached.containerPort)}; the service listens on ${spec.containerPort}`,
    );
  }
  return v;
}

function checkTaskDefinition(
  resources: RecordedResource[],
  name: string,
  app: AppName,
  spec: ServiceSpec,
): Violation[] {
  const definition = ofType(resources, TYPES.taskDefinition).find((r) => r.inputs.family === name);
  if (!definition) return [`service ${name}: no task definition with family ${name}`];
  const v: Violation[] = [];
  if (definition.inputs.networkMode !== "bridge") {
    v.push(
      `service ${name}: networkMode is ${String(definition.inputs.networkMode)}; bridge mode with dynamic host ports is what the ALB targets (targetType instance)`,
    );
  }
  const containers = list(parseJson(definition.inputs.containerDefinitions)).map(obj);
  if (containers.length === 0) v.push(`service ${name}: its task definition has no container definitions`);
  const repositoryUrl = ofType(resources, TYPES.repository).find((r) => r.inputs.name === name)?.outputs
    .repositoryUrl;
  for (const c of containers) {
    const label = `service ${name}: container ${String(c.name)}`;
    v.push(...checkPorts(name, c, app === c.name ? spec.containerPort : undefined));
    v.push(...checkMemory(label, c, spec));
    v.push(...checkLogging(label, c));
    if (c.stopTimeout !== spec.stopTimeoutSeconds) {
      v.push(
        `${label}: stopTimeout is ${String(c.stopTimeout)}; the spec says ${spec.stopTimeoutSeconds} s (SIGTERM must leave time to drain)`,
      );
    }
    if (typeof repositoryUrl !== "string" || !String(c.image).startsWith(`${repositoryUrl}:`)) {
      v.push(
        `${label}: image ${String(c.image)} is not from the environment's ECR repository ${String(repositoryUrl)}`,
      );
    }
    v.push(...checkSecrets(label, c, spec));
  }
  return v;
}

function checkPorts(name: string, container: Record<string, unknown>, containerPort?: number): Violation[] {
  const v: Violation[] = [];
  const mappings = list(container.portMappings).map(obj);
  for (const m of mappings) {
    if (m.hostPort !== 0) {
      v.push(
        `service ${name}: port mapping ${String(m.containerPort)} has hostPort ${String(m.hostPort)}; dynamic host ports need 0`,
      );
    }
  }
  if (containerPort !== undefined && !mappings.some((m) => m.containerPort === containerPort)) {
    v.push(`service ${name}: no port mapping for the service's port ${containerPort}`);
  }
  return v;
}

function checkMemory(label: string, c: Record<string, unknown>, spec: ServiceSpec): Violation[] {
  if (typeof c.memory !== "number") {
    return [
      `${label}: no hard memory limit ("memory"); without one a qa task can take the memory prod needs on a shared instance`,
    ];
  }
  const v: Violation[] = [];
  if (c.memory !== spec.memory)
    v.push(`${label}: memory hard limit is ${c.memory} MiB; the spec says ${spec.memory}`);
  if (c.memoryReservation !== spec.memoryReservation) {
    v.push(
      `${label}: memoryReservation is ${String(c.memoryReservation)} MiB; the spec says ${spec.memoryReservation}`,
    );
  }
  if (typeof c.memoryReservation === "number" && c.memoryReservation > c.memory) {
    v.push(`${label}: memoryReservation ${c.memoryReservation} exceeds the hard limit ${c.memory}`);
  }
  return v;
}

function checkLogging(label: string, c: Record<string, unknown>): Violation[] {
  const config = obj(c.logConfiguration);
  if (config.logDriver !== "awslogs") {
    return [`${label}: log driver is ${String(config.logDriver)}; it must be awslogs`];
  }
  const options = obj(config.options);
  const v: Violation[] = [];
  for (const key of ["awslogs-group", "awslogs-region", "awslogs-stream-prefix"]) {
    if (!str(options[key])) v.push(`${label}: awslogs option ${key} is not set`);
  }
  if (options.mode !== "non-blocking" && options.mode !== "blocking") {
    v.push(
      `${label}: awslogs mode is not set explicitly (blocking or non-blocking); say it, don't inherit it`,
    );
  }
  if (options.mode === "non-blocking" && !str(options["max-buffer-size"])) {
    v.push(`${label}: awslogs mode non-blocking without max-buffer-size`);
  }
  return v;
}

function checkSecrets(label: string, c: Record<string, unknown>, spec: ServiceSpec): Violation[] {
  const v: Violation[] = [];
  const secrets = list(c.secrets).map(obj);
  for (const expected of Object.keys(spec.secrets)) {
    const found = secrets.find((s) => s.name === expected);
    if (!found) v.push(`${label}: secret ${expected} from the spec is missing from "secrets"`);
    else if (!str(found.valueFrom)?.startsWith("arn:")) {
      v.push(
        `${label}: secret ${expected} valueFrom ${String(found.valueFrom)} is not an SSM or Secrets Manager ARN`,
      );
    }
  }
  return v;
}

function checkAutoScaling(
  resources: RecordedResource[],
  name: string,
  env: EnvironmentName,
  spec: ServiceSpec,
): Violation[] {
  const target = ofType(resources, TYPES.scalingTarget).find((r) =>
    str(r.inputs.resourceId)?.endsWith(`/${name}`),
  );
  if (!target) return [`service ${name}: no Application Auto Scaling target`];
  const v: Violation[] = [];
  const { minCount, maxCount } = spec.autoscaling;
  if (target.inputs.minCapacity !== minCount || target.inputs.maxCapacity !== maxCount) {
    v.push(
      `service ${name}: auto scaling ${String(target.inputs.minCapacity)}..${String(target.inputs.maxCapacity)}; the spec says ${minCount}..${maxCount}`,
    );
  }
  const policies = ofType(resources, TYPES.scalingPolicy)
    .filter((p) => p.inputs.resourceId === target.inputs.resourceId)
    .map((p) => obj(p.inputs.targetTrackingScalingPolicyConfiguration));
  const cpu = policies.find(
    (p) => obj(p.predefinedMetricSpecification).predefinedMetricType === "ECSServiceAverageCPUUtilization",
  );
  if (cpu?.targetValue !== spec.autoscaling.cpuTargetPercent) {
    v.push(`service ${name}: no CPU target tracking at ${spec.autoscaling.cpuTargetPercent}%`);
  }
  if (spec.autoscaling.backlogPerTaskTarget !== undefined) {
    const backlog = policies.find(
      (p) => obj(p.customizedMetricSpecification).metricName === "BacklogPerTask",
    );
    const metric = obj(backlog?.customizedMetricSpecification);
    const dimension = list(metric.dimensions).map(obj)[0];
    if (
      backlog?.targetValue !== spec.autoscaling.backlogPerTaskTarget ||
      metric.namespace !== "Platform/Transcoding" ||
      dimension?.name !== "Environment" ||
      dimension?.value !== env
    ) {
      v.push(
        `service ${name}: no target tracking on Platform/Transcoding BacklogPerTask (Environment=${env}) at ${spec.autoscaling.backlogPerTaskTarget}`,
      );
    }
  }
  return v;
}

function checkLogGroup(
  resources: RecordedResource[],
  name: string,
  env: EnvironmentName,
  app: AppName,
  spec: ServiceSpec,
): Violation[] {
  const group = ofType(resources, TYPES.logGroup).find((r) => r.inputs.name === `/platform/${env}/${app}`);
  if (!group) return [`service ${name}: no log group /platform/${env}/${app}`];
  if (group.inputs.retentionInDays !== spec.logRetentionDays) {
    return [
      `service ${name}: log retention is ${String(group.inputs.retentionInDays)} days; the spec says ${spec.logRetentionDays}`,
    ];
  }
  return [];
}
