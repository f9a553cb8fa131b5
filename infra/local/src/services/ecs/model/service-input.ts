import { type AdvancedConfigurationRequest, advancedConfigurationOf } from "./advanced-configuration.js";
import { type StrategyRequest, strategyMembersOf } from "./strategy-input.js";
import type {
  DeploymentAlarms,
  DeploymentConfiguration,
  LoadBalancerRef,
  TaskDefinitionRecord,
} from "./types.js";
import { invalid } from "./validation.js";

// CreateService/UpdateService fields as typed requests, and the rules ECS applies to them.

export interface LoadBalancerRequest {
  targetGroupArn?: string | undefined;
  containerName?: string | undefined;
  containerPort?: number | undefined;
  advancedConfiguration?: AdvancedConfigurationRequest | undefined;
}

export interface DeploymentConfigurationRequest extends StrategyRequest {
  maximumPercent?: number | undefined;
  minimumHealthyPercent?: number | undefined;
  deploymentCircuitBreaker?: { enable?: boolean | undefined; rollback?: boolean | undefined } | undefined;
  alarms?: DeploymentAlarmsRequest | undefined;
}

export interface DeploymentAlarmsRequest {
  alarmNames?: string[] | undefined;
  enable?: boolean | undefined;
  rollback?: boolean | undefined;
}

/** The local region's bound on alarms per service; CloudWatch's on an alarm name. */
export const MAX_DEPLOYMENT_ALARMS = 10;
const MAX_ALARM_NAME_LENGTH = 255;

export function loadBalancersOf(requests: LoadBalancerRequest[]): LoadBalancerRef[] {
  return requests.map(({ targetGroupArn, containerName, containerPort, advancedConfiguration }, i) => {
    if (!targetGroupArn) {
      throw invalid(
        "targetGroupArn is required for a load balancer of an EC2 service (loadBalancerName is Classic ELB).",
      );
    }
    if (!containerName || containerPort === undefined) {
      throw invalid("loadBalancers needs containerName and containerPort.");
    }
    const advanced =
      advancedConfiguration && advancedConfigurationOf(advancedConfiguration, `loadBalancers[${i}]`);
    return {
      targetGroupArn,
      containerName,
      containerPort,
      ...(advanced ? { advancedConfiguration: advanced } : {}),
    };
  });
}

export function checkLoadBalancersMatch(loadBalancers: LoadBalancerRef[], td: TaskDefinitionRecord): void {
  for (const lb of loadBalancers) {
    const container = td.containerDefinitions.find((c) => c.name === lb.containerName);
    if (!container) {
      throw invalid(`The container ${lb.containerName} does not exist in the task definition.`);
    }
    if (!container.portMappings.some((p) => p.containerPort === lb.containerPort)) {
      throw invalid(
        `The container ${lb.containerName} did not have a container port ${lb.containerPort} defined.`,
      );
    }
  }
}

const defaultDeploymentConfiguration = (): DeploymentConfiguration => ({
  deploymentCircuitBreaker: { enable: false, rollback: false },
  maximumPercent: 200,
  minimumHealthyPercent: 100,
});

/** The request's settings over the current ones (ECS's defaults for a new service). */
export function deploymentConfigurationOf(
  request: DeploymentConfigurationRequest | undefined,
  current: DeploymentConfiguration = defaultDeploymentConfiguration(),
): DeploymentConfiguration {
  if (request === undefined) return current;
  let deploymentCircuitBreaker = current.deploymentCircuitBreaker;
  if (request.deploymentCircuitBreaker !== undefined) {
    const { enable, rollback } = request.deploymentCircuitBreaker;
    if (enable === undefined || rollback === undefined) {
      throw invalid("deploymentCircuitBreaker needs both enable and rollback.");
    }
    deploymentCircuitBreaker = { enable, rollback };
  }
  const alarms = request.alarms === undefined ? current.alarms : deploymentAlarmsOf(request.alarms);
  const strategy = strategyMembersOf(request, current);
  return {
    deploymentCircuitBreaker,
    maximumPercent: request.maximumPercent ?? current.maximumPercent,
    minimumHealthyPercent: request.minimumHealthyPercent ?? current.minimumHealthyPercent,
    ...(alarms ? { alarms } : {}),
    ...strategy,
  };
}

/** DeploymentAlarms: all three members are required, as in ECS's API. */
function deploymentAlarmsOf(request: DeploymentAlarmsRequest): DeploymentAlarms {
  const { alarmNames, enable, rollback } = request;
  if (alarmNames === undefined || enable === undefined || rollback === undefined) {
    throw invalid("deploymentConfiguration.alarms needs alarmNames, enable and rollback.");
  }
  if (alarmNames.length > MAX_DEPLOYMENT_ALARMS) {
    throw invalid(
      `deploymentConfiguration.alarms.alarmNames has ${alarmNames.length} alarms; at most ${MAX_DEPLOYMENT_ALARMS} are allowed.`,
    );
  }
  const bad = alarmNames.find((n) => n.length === 0 || n.length > MAX_ALARM_NAME_LENGTH);
  if (bad !== undefined) {
    throw invalid(`Alarm name "${bad}" must be 1 to ${MAX_ALARM_NAME_LENGTH} characters long.`);
  }
  if (enable && alarmNames.length === 0) {
    throw invalid("deploymentConfiguration.alarms.alarmNames can't be empty when enable is true.");
  }
  return { alarmNames: [...new Set(alarmNames)], enable, rollback };
}
