import type { Deployment, LoadBalancer, Service, Task } from "@aws-sdk/client-ecs";
import type {
  ContainerState,
  DeploymentView,
  ServiceSnapshot,
  TaskTarget,
  TaskView,
} from "../model/snapshot.js";
import type { Clients } from "./clients.js";
import type { EcsGateway } from "./ecs.js";
import { targetHealth } from "./elbv2.js";

/** One look at a service: its deployments and events, running tasks, and its targets' health. */
export async function takeSnapshot(
  gateway: EcsGateway,
  clients: Clients,
  cluster: string,
  serviceName: string,
): Promise<ServiceSnapshot> {
  const service = await gateway.service(cluster, serviceName);
  const loadBalancers = (service.loadBalancers ?? []).filter((lb) => lb.targetGroupArn);
  const targetGroupArns = [...new Set(loadBalancers.map((lb) => lb.targetGroupArn!))];
  const [tasks, targets] = await Promise.all([
    runningTasks(gateway, cluster, serviceName, loadBalancers),
    Promise.all(targetGroupArns.map((arn) => targetHealth(clients.elbv2, arn))).then((all) => all.flat()),
  ]);
  return {
    serviceName,
    deployments: (service.deployments ?? []).map(deploymentView),
    events: (service.events ?? []).map((e) => ({
      createdAt: e.createdAt ?? new Date(0),
      message: e.message ?? "",
    })),
    tasks,
    targetGroupArns,
    targets,
    circuitBreaker: {
      enable: service.deploymentConfiguration?.deploymentCircuitBreaker?.enable ?? false,
      rollback: service.deploymentConfiguration?.deploymentCircuitBreaker?.rollback ?? false,
    },
  };
}

export function deploymentView(d: Deployment): DeploymentView {
  return {
    id: d.id ?? "",
    status: d.status ?? "",
    taskDefinition: d.taskDefinition ?? "",
    desiredCount: d.desiredCount ?? 0,
    runningCount: d.runningCount ?? 0,
    pendingCount: d.pendingCount ?? 0,
    failedTasks: d.failedTasks ?? 0,
    rolloutState: d.rolloutState,
    rolloutStateReason: d.rolloutStateReason,
    createdAt: d.createdAt,
  };
}

async function runningTasks(
  gateway: EcsGateway,
  cluster: string,
  serviceName: string,
  loadBalancers: LoadBalancer[],
): Promise<TaskView[]> {
  const arns = await gateway.taskArns(cluster, serviceName, "RUNNING");
  if (arns.length === 0) return [];
  const tasks = await gateway.tasks(cluster, arns);
  const instanceArns = tasks.map((t) => t.containerInstanceArn).filter((a): a is string => Boolean(a));
  const instanceIds =
    instanceArns.length > 0 ? await gateway.ec2InstanceIds(cluster, instanceArns) : new Map();
  return tasks.map((task) => taskView(task, loadBalancers, instanceIds));
}

export function taskView(
  task: Task,
  loadBalancers: LoadBalancer[],
  instanceIds: Map<string, string>,
): TaskView {
  return {
    arn: task.taskArn ?? "",
    startedBy: task.startedBy,
    taskDefinition: task.taskDefinitionArn ?? "",
    lastStatus: task.lastStatus ?? "",
    desiredStatus: task.desiredStatus ?? "",
    healthStatus: task.healthStatus,
    stoppedReason: task.stoppedReason,
    stopCode: task.stopCode,
    containers: containerStates(task),
    targets: loadBalancers.flatMap((lb) => {
      const target = targetOf(task, lb, instanceIds);
      return target ? [target] : [];
    }),
  };
}

export function containerStates(task: Task): ContainerState[] {
  return (task.containers ?? []).map((c) => ({ name: c.name ?? "", exitCode: c.exitCode, reason: c.reason }));
}

/**
 * Where a target group sees a task: bridge/host mode registers `<instance id>:<host port>`,
 * awsvpc registers `<task ip>:<container port>`.
 */
function targetOf(task: Task, lb: LoadBalancer, instanceIds: Map<string, string>): TaskTarget | undefined {
  const container = task.containers?.find((c) => c.name === lb.containerName);
  const binding = container?.networkBindings?.find((b) => b.containerPort === lb.containerPort);
  const instanceId = task.containerInstanceArn ? instanceIds.get(task.containerInstanceArn) : undefined;
  if (binding?.hostPort && instanceId) {
    return { targetGroupArn: lb.targetGroupArn!, id: instanceId, port: binding.hostPort };
  }
  const ip = container?.networkInterfaces?.[0]?.privateIpv4Address;
  if (ip && lb.containerPort) return { targetGroupArn: lb.targetGroupArn!, id: ip, port: lb.containerPort };
  return undefined;
}

/** The PRIMARY deployment of a service as UpdateService returned it. */
export function primaryDeployment(service: Service): Deployment | undefined {
  return service.deployments?.find((d) => d.status === "PRIMARY");
}
