// What the deploy watcher sees on each poll, reduced to what the rules need. Built by the AWS layer
// from DescribeServices, ListTasks/DescribeTasks and DescribeTargetHealth; plain data, no SDK types.

export interface DeploymentView {
  id: string;
  /** PRIMARY for the newest deployment, ACTIVE for older ones still running tasks. */
  status: string;
  taskDefinition: string;
  desiredCount: number;
  runningCount: number;
  pendingCount: number;
  failedTasks: number;
  rolloutState?: string;
  rolloutStateReason?: string;
  createdAt?: Date;
}

export interface TaskTarget {
  targetGroupArn: string;
  id: string;
  port: number;
}

/** A container of a task as ECS reports it: its exit code and reason once it stopped. */
export interface ContainerState {
  name: string;
  exitCode?: number;
  reason?: string;
}

export interface TaskView {
  arn: string;
  /** The deployment id (`ecs-svc/...`) that started the task. */
  startedBy?: string;
  taskDefinition: string;
  lastStatus: string;
  desiredStatus: string;
  /** HEALTHY / UNHEALTHY / UNKNOWN (no container health check). */
  healthStatus?: string;
  stoppedReason?: string;
  stopCode?: string;
  containers: ContainerState[];
  /** Where the load balancer should see this task: one entry per target group of the service. */
  targets: TaskTarget[];
}

export interface TargetView {
  targetGroupArn: string;
  id: string;
  port: number;
  /** initial / healthy / unhealthy / unused / draining / unavailable. */
  state: string;
}

export interface EventView {
  createdAt: Date;
  message: string;
}

export interface ServiceSnapshot {
  serviceName: string;
  deployments: DeploymentView[];
  /** Service events, newest first as ECS returns them. */
  events: EventView[];
  /** Tasks of the service that are not stopped, plus recently stopped ones of the tracked deployment. */
  tasks: TaskView[];
  targetGroupArns: string[];
  targets: TargetView[];
  circuitBreaker: { enable: boolean; rollback: boolean };
}

/** The deployment this CLI created and follows, not "the service". */
export interface Tracked {
  deploymentId: string;
  taskDefinition: string;
  startedAt: Date;
}
