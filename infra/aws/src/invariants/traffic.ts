import {
  APP_NAMES,
  alternateTargetGroupName,
  ENVIRONMENT_NAMES,
  type EnvironmentName,
  type PlatformSpec,
  serviceDeployment,
  serviceName,
  shiftsTraffic,
} from "@platform/env";
import type { Violation } from "./context.js";
import { arnResourceName, list, obj, ofType, type RecordedResource, str, TYPES } from "./resources.js";

// ECS-native blue/green, canary and linear: what a person gets wrong is wiring, not settings, and ECS
// only says so at the first deployment.

/** Shared stack: each traffic-shifting service has its second group on a production and a test rule. */
export function checkTrafficRules(resources: RecordedResource[], spec: PlatformSpec): Violation[] {
  return shiftingServices(spec).flatMap(({ app, env }) =>
    checkServiceRules(resources, serviceName(app, env), alternateTargetGroupName(app, env)),
  );
}

function shiftingServices(spec: PlatformSpec) {
  return ENVIRONMENT_NAMES.flatMap((env) => APP_NAMES.map((app) => ({ app, env }))).filter(({ app, env }) =>
    shiftsTraffic(serviceDeployment(spec, app, env)),
  );
}

function checkServiceRules(resources: RecordedResource[], blue: string, green: string): Violation[] {
  if (!ofType(resources, TYPES.targetGroup).some((g) => g.inputs.name === green)) {
    return [`target group ${green}: missing; ${blue}'s strategy shifts traffic and needs a second group`];
  }
  const rules = ofType(resources, TYPES.listenerRule).filter((r) => {
    const groups = forwardedGroups(r);
    return groups.includes(blue) && groups.includes(green);
  });
  if (rules.length === 0) {
    return [`target group ${green}: attached to no listener rule; ECS can't move ${blue}'s traffic to it`];
  }
  const ports = rules.map((r) => listenerPort(resources, r));
  const v: Violation[] = [];
  if (!ports.includes(443))
    v.push(`service ${blue}: no production rule on port 443 forwards to ${blue} and ${green}`);
  if (ports.filter((p) => p !== 443).length === 0) {
    v.push(
      `service ${blue}: its production and test rules are both on listener port 443; the test rule belongs on the test listener, or users get green before the test`,
    );
  }
  for (const rule of rules) {
    if (!rule.ignoreChanges.includes("actions")) {
      v.push(
        `listener rule ${rule.name}: ECS owns its weights; without ignoreChanges on actions \`pulumi up\` would undo a deployment's shift`,
      );
    }
  }
  return v;
}

function forwardedGroups(rule: RecordedResource): string[] {
  const action = list(rule.inputs.actions).map(obj)[0];
  const arns = [action?.targetGroupArn, ...list(obj(action?.forward).targetGroups).map((g) => obj(g).arn)];
  return arns.map((a) => arnResourceName(str(a), "targetgroup")).filter((n): n is string => n !== undefined);
}

function listenerPort(resources: RecordedResource[], rule: RecordedResource): number | undefined {
  const listener = ofType(resources, TYPES.listener).find((l) => l.outputs.arn === rule.inputs.listenerArn);
  return listener === undefined ? undefined : Number(listener.inputs.port);
}

/** Environment stack: the service asks ECS for the spec's strategy and gives it both groups and rules. */
export function checkServiceStrategy(
  resources: RecordedResource[],
  spec: PlatformSpec,
  app: (typeof APP_NAMES)[number],
  env: EnvironmentName,
): Violation[] {
  const name = serviceName(app, env);
  const service = ofType(resources, TYPES.service).find((r) => r.inputs.name === name);
  if (!service) return [];
  const wanted = serviceDeployment(spec, app, env);
  const config = obj(service.inputs.deploymentConfiguration);
  const v: Violation[] = [];
  if (config.strategy !== wanted.strategy) {
    v.push(
      `service ${name}: deployment strategy is ${String(config.strategy)}; the spec says ${wanted.strategy}`,
    );
  }
  const bake = wanted.bakeTimeInMinutes === undefined ? undefined : String(wanted.bakeTimeInMinutes);
  if (config.bakeTimeInMinutes !== bake) {
    v.push(
      `service ${name}: bake time is ${String(config.bakeTimeInMinutes)} min; the spec says ${String(bake)}`,
    );
  }
  if (!shiftsTraffic(wanted)) return v;
  return [...v, ...checkAdvancedConfiguration(name, alternateTargetGroupName(app, env), service)];
}

function checkAdvancedConfiguration(name: string, green: string, service: RecordedResource): Violation[] {
  const advanced = obj(list(service.inputs.loadBalancers).map(obj)[0]?.advancedConfiguration);
  const v: Violation[] = [];
  if (arnResourceName(str(advanced.alternateTargetGroupArn), "targetgroup") !== green) {
    v.push(`service ${name}: its load balancer's alternateTargetGroupArn must be target group ${green}`);
  }
  for (const field of ["productionListenerRule", "testListenerRule", "roleArn"]) {
    if (!str(advanced[field]))
      v.push(`service ${name}: its load balancer's advancedConfiguration has no ${field}`);
  }
  if (advanced.productionListenerRule && advanced.productionListenerRule === advanced.testListenerRule) {
    v.push(
      `service ${name}: productionListenerRule and testListenerRule are the same rule; test traffic needs its own`,
    );
  }
  return v;
}
