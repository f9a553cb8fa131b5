// Service event messages, worded as ECS writes them.

const svc = (service: string) => `(service ${service})`;
const taskList = (taskIds: string[]) => taskIds.map((id) => `(task ${id})`).join(" ");

export const eventMessages = {
  startedTasks: (service: string, taskIds: string[]) =>
    `${svc(service)} has started ${taskIds.length} tasks: ${taskList(taskIds)}.`,
  stoppedTasks: (service: string, taskIds: string[]) =>
    `${svc(service)} has stopped ${taskIds.length} running tasks: ${taskList(taskIds)}.`,
  registeredTargets: (service: string, count: number, targetGroupArn: string) =>
    `${svc(service)} registered ${count} targets in (target-group ${targetGroupArn})`,
  beganDraining: (service: string, count: number) =>
    `${svc(service)} has begun draining connections on ${count} tasks.`,
  deregisteredTargets: (service: string, count: number, targetGroupArn: string) =>
    `${svc(service)} deregistered ${count} targets in (target-group ${targetGroupArn})`,
  steadyState: (service: string) => `${svc(service)} has reached a steady state.`,
  deploymentCompleted: (service: string, deploymentId: string) =>
    `${svc(service)} (deployment ${deploymentId}) deployment completed.`,
  deploymentFailed: (service: string, deploymentId: string, why: string) =>
    `${svc(service)} (deployment ${deploymentId}) deployment failed: ${why}.`,
  rollingBack: (service: string, deploymentId: string) =>
    `${svc(service)} rolling back to deployment ${deploymentId}.`,
  failedToLaunch: (service: string, error: string) =>
    `${svc(service)} failed to launch a task with (error ${error}).`,
  unhealthyTarget: (service: string, instanceId: string, port: number, targetGroupArn: string) =>
    `${svc(service)} (instance ${instanceId}) (port ${port}) is unhealthy in (target-group ${targetGroupArn}) due to (reason Health checks failed).`,
  unhealthyTaskStopped: (service: string, taskId: string, targetGroupArn: string) =>
    `${svc(service)} (task ${taskId}) failed ELB health checks in (target-group ${targetGroupArn}).`,
};
