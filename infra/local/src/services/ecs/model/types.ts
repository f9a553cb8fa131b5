// The ECS model's durable state: plain JSON, shaped like ECS's own objects so views.ts only leaves
// bookkeeping out. Times are epoch seconds (awsJson's timestamp format).

export type Tag = { key: string; value: string };

/** A resource a Describe operation was asked for and did not find, as ECS lists it. */
export interface Failure {
  arn: string;
  reason: string;
}

export interface ClusterRecord {
  clusterArn: string;
  clusterName: string;
  status: "ACTIVE" | "INACTIVE";
  createdAt: number;
}

export interface PortMapping {
  containerPort: number;
  hostPort: number;
  protocol: "tcp" | "udp";
  name?: string;
}

export interface KeyValue {
  name: string;
  value: string;
}

export interface SecretRef {
  name: string;
  valueFrom: string;
}

export interface LogConfiguration {
  logDriver: string;
  options?: Record<string, string>;
}

export interface ContainerDefinition {
  name: string;
  image: string;
  cpu?: number;
  memory?: number;
  memoryReservation?: number;
  essential: boolean;
  entryPoint?: string[];
  command?: string[];
  workingDirectory?: string;
  environment: KeyValue[];
  secrets: SecretRef[];
  portMappings: PortMapping[];
  stopTimeout?: number;
  logConfiguration?: LogConfiguration;
  dockerLabels?: Record<string, string>;
  healthCheck?: Record<string, unknown>;
}

export interface TaskDefinitionRecord {
  taskDefinitionArn: string;
  family: string;
  revision: number;
  status: "ACTIVE" | "INACTIVE" | "DELETE_IN_PROGRESS";
  containerDefinitions: ContainerDefinition[];
  networkMode: "bridge" | "host" | "awsvpc" | "none";
  cpu?: string;
  memory?: string;
  taskRoleArn?: string;
  executionRoleArn?: string;
  requiresCompatibilities: string[];
  compatibilities: string[];
  registeredAt: number;
  deregisteredAt?: number;
  registeredBy?: string;
}

export type RolloutState = "IN_PROGRESS" | "COMPLETED" | "FAILED";

/** Status of a service deployment in the ListServiceDeployments view. */
export type ServiceDeploymentStatus =
  | "PENDING"
  | "IN_PROGRESS"
  | "SUCCESSFUL"
  | "STOPPED"
  | "STOP_REQUESTED"
  | "ROLLBACK_REQUESTED"
  | "ROLLBACK_IN_PROGRESS"
  | "ROLLBACK_SUCCESSFUL"
  | "ROLLBACK_FAILED";

export interface DeploymentRecord {
  id: string;
  status: "PRIMARY" | "ACTIVE";
  taskDefinition: string;
  desiredCount: number;
  pendingCount: number;
  runningCount: number;
  failedTasks: number;
  createdAt: number;
  updatedAt: number;
  rolloutState: RolloutState;
  rolloutStateReason: string;
  serviceDeploymentArn: string;
  serviceRevisionArn: string;
  /** Set on the deployment that a rollback created: the service deployment it rolls back. */
  rollbackOf?: string;
  /** When its last task failed, for the launch backoff. */
  lastFailureAt?: number;
  /** With deployment alarms: when it reached its desired healthy tasks alone and began to bake. */
  bakeStartedAt?: number;
  /**
   * The target group of each of the service's load balancers (same order) its tasks register in.
   * Absent (state saved before blue/green): the load balancers' own target groups.
   */
  targetGroups?: string[];
}

/** What ECS needs to shift a load balancer's traffic between two target groups. */
export interface AdvancedConfiguration {
  alternateTargetGroupArn: string;
  productionListenerRule: string;
  testListenerRule?: string;
  roleArn: string;
}

export interface LoadBalancerRef {
  targetGroupArn: string;
  containerName: string;
  containerPort: number;
  advancedConfiguration?: AdvancedConfiguration;
}

export interface ServiceEvent {
  id: string;
  createdAt: number;
  message: string;
}

/** CloudWatch alarms that fail a deployment when one goes to ALARM while it is IN_PROGRESS. */
export interface DeploymentAlarms {
  alarmNames: string[];
  enable: boolean;
  rollback: boolean;
}

export type DeploymentStrategy = "ROLLING" | "BLUE_GREEN" | "CANARY" | "LINEAR";

/** Where a deployment stands, as DescribeServiceDeployments reports it (blue/green family only). */
export type LifecycleStage =
  | "RECONCILE_SERVICE"
  | "PRE_SCALE_UP"
  | "SCALE_UP"
  | "POST_SCALE_UP"
  | "TEST_TRAFFIC_SHIFT"
  | "POST_TEST_TRAFFIC_SHIFT"
  | "PRE_PRODUCTION_TRAFFIC_SHIFT"
  | "PRODUCTION_TRAFFIC_SHIFT"
  | "POST_PRODUCTION_TRAFFIC_SHIFT"
  | "BAKE_TIME"
  | "CLEAN_UP";

export type HookAction = "CONTINUE" | "ROLLBACK";

/** A PAUSE hook (the local region runs no Lambda functions, so AWS_LAMBDA ones are refused). */
export interface LifecycleHook {
  targetType: "PAUSE";
  lifecycleStages: LifecycleStage[];
  timeoutConfiguration?: { timeoutInMinutes?: number; action?: HookAction };
}

export interface DeploymentConfiguration {
  deploymentCircuitBreaker: { enable: boolean; rollback: boolean };
  /** Absent in state saved before deployment alarms existed: read as disabled. */
  alarms?: DeploymentAlarms;
  maximumPercent: number;
  minimumHealthyPercent: number;
  /** Absent: ROLLING (and state saved before strategies existed). */
  strategy?: DeploymentStrategy;
  bakeTimeInMinutes?: number;
  canaryConfiguration?: { canaryPercent: number; canaryBakeTimeInMinutes: number };
  linearConfiguration?: { stepPercent: number; stepBakeTimeInMinutes: number };
  lifecycleHooks?: LifecycleHook[];
}

export interface ServiceRecord {
  serviceArn: string;
  serviceName: string;
  clusterArn: string;
  taskDefinition: string;
  desiredCount: number;
  status: "ACTIVE" | "DRAINING" | "INACTIVE";
  launchType: "EC2";
  schedulingStrategy: "REPLICA";
  deploymentConfiguration: DeploymentConfiguration;
  loadBalancers: LoadBalancerRef[];
  healthCheckGracePeriodSeconds?: number;
  deployments: DeploymentRecord[];
  events: ServiceEvent[];
  createdAt: number;
  enableECSManagedTags: boolean;
  propagateTags: "TASK_DEFINITION" | "SERVICE" | "NONE";
  /** Task definition of the last deployment that completed: where a rollback goes. */
  lastCompletedTaskDefinition?: string;
  lastCompletedRevisionArn?: string;
  /** Whether the last "has reached a steady state" event still holds. */
  steady: boolean;
  /**
   * The target group of each load balancer (same order) that production traffic is on: the
   * load balancer's own, or its alternate after a blue/green deployment swapped them. Absent: the own.
   */
  liveTargetGroups?: string[];
}

export interface ServiceDeploymentRecord {
  serviceDeploymentArn: string;
  serviceArn: string;
  clusterArn: string;
  deploymentId: string;
  createdAt: number;
  startedAt: number;
  updatedAt: number;
  finishedAt?: number;
  stoppedAt?: number;
  status: ServiceDeploymentStatus;
  statusReason?: string;
  targetServiceRevisionArn: string;
  targetTaskDefinition: string;
  sourceServiceRevisionArns: string[];
  deploymentConfiguration: DeploymentConfiguration;
  rollback?: { reason: string; startedAt: number; serviceRevisionArn: string };
  /** Deployment alarms that went to ALARM during this deployment. */
  triggeredAlarmNames?: string[];
  /** Blue/green, canary and linear only: where the traffic shift stands. */
  shift?: TrafficShift;
}

export type HookStatus = "AWAITING_ACTION" | "IN_PROGRESS" | "SUCCEEDED" | "FAILED" | "TIMED_OUT";

export interface HookDetail {
  hookId: string;
  targetType: "PAUSE";
  stage: LifecycleStage;
  status: HookStatus;
  expiresAt: number;
  timeoutAction: HookAction;
  /** For the canary/linear steps: which production step the hook stopped before. */
  step?: number;
}

export interface TrafficShift {
  /** The deployment (blue) production traffic is shifted away from. */
  sourceDeploymentId: string;
  stage: LifecycleStage;
  stageStartedAt: number;
  /** Green's share of production traffic, percent. */
  productionPercent: number;
  testOnGreen: boolean;
  /** Canary/linear: the number of production steps taken, and when the last one was taken. */
  steps: number;
  stepAt?: number;
  bakeEndsAt?: number;
  hooks: HookDetail[];
  /** Set once a rollback moved traffic back: green's tasks are stopping. */
  rolledBackAt?: number;
}

export type TaskStatus =
  | "PROVISIONING"
  | "PENDING"
  | "ACTIVATING"
  | "RUNNING"
  | "DEACTIVATING"
  | "STOPPING"
  | "DEPROVISIONING"
  | "STOPPED";

export type StopCode =
  | "TaskFailedToStart"
  | "EssentialContainerExited"
  | "UserInitiated"
  | "ServiceSchedulerInitiated"
  | "TerminationNotice";

export interface NetworkBinding {
  bindIP: string;
  containerPort: number;
  hostPort: number;
  protocol: "tcp" | "udp";
}

export interface ContainerRecord {
  containerArn: string;
  name: string;
  image: string;
  imageDigest?: string;
  lastStatus: "PENDING" | "RUNNING" | "STOPPED";
  exitCode?: number;
  reason?: string;
  networkBindings: NetworkBinding[];
  healthStatus: "HEALTHY" | "UNHEALTHY" | "UNKNOWN";
  essential: boolean;
  /** Host process of the container (its process group leader) and its start time in clock ticks. */
  pid?: number;
  pidStartTicks?: number;
  memory?: number;
  memoryReservation?: number;
  cpu?: number;
}

export interface TaskTarget {
  targetGroupArn: string;
  containerName: string;
  containerPort: number;
  hostPort: number;
  state: string;
  registered: boolean;
}

export interface TaskRecord {
  taskArn: string;
  taskId: string;
  clusterArn: string;
  taskDefinitionArn: string;
  containerInstanceArn: string;
  group: string;
  startedBy?: string;
  serviceName?: string;
  deploymentId?: string;
  lastStatus: TaskStatus;
  desiredStatus: "RUNNING" | "STOPPED";
  healthStatus: "HEALTHY" | "UNHEALTHY" | "UNKNOWN";
  createdAt: number;
  pullStartedAt?: number;
  pullStoppedAt?: number;
  startedAt?: number;
  stoppingAt?: number;
  stoppedAt?: number;
  stoppedReason?: string;
  stopCode?: StopCode;
  containers: ContainerRecord[];
  cpu?: string;
  memory?: string;
  launchType: "EC2";
  version: number;
  targets: TaskTarget[];
}

/** What a deployment deployed, as DescribeServiceRevisions shows it. */
export interface ServiceRevisionRecord {
  serviceRevisionArn: string;
  serviceArn: string;
  clusterArn: string;
  taskDefinition: string;
  loadBalancers: LoadBalancerRef[];
  createdAt: number;
}

export interface EcsState {
  clusters: Record<string, ClusterRecord>;
  /** Keyed by `family:revision`. */
  taskDefinitions: Record<string, TaskDefinitionRecord>;
  /** Last revision number used per family (revisions are never reused). */
  familyRevisions: Record<string, number>;
  /** Keyed by service ARN. */
  services: Record<string, ServiceRecord>;
  serviceDeployments: Record<string, ServiceDeploymentRecord>;
  /** Keyed by ARN; absent in state saved before revisions were kept. */
  serviceRevisions?: Record<string, ServiceRevisionRecord>;
  /** Keyed by task ARN. */
  tasks: Record<string, TaskRecord>;
  /** Keyed by resource ARN. */
  tags: Record<string, Tag[]>;
  containerInstanceId: string;
  containerInstanceRegisteredAt: number;
}

export function emptyEcsState(instanceId: string, now: number): EcsState {
  return {
    clusters: {},
    taskDefinitions: {},
    familyRevisions: {},
    services: {},
    serviceDeployments: {},
    serviceRevisions: {},
    tasks: {},
    tags: {},
    containerInstanceId: instanceId,
    containerInstanceRegisteredAt: now,
  };
}

export const TERMINAL_TASK_STATUS: TaskStatus = "STOPPED";
