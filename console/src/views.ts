// The snapshots the server streams and the pages render: types only, shared by both sides.

export interface TrafficSplit {
  targetGroup: string;
  weight: number;
}

export interface DeployRecord {
  arn: string;
  status: string;
  lifecycleStage: string;
  startedAt: number | undefined;
  finishedAt: number | undefined;
  revision: string;
  statusReason: string;
  rollbackReason: string;
}

export interface ServiceView {
  cluster: string;
  name: string;
  environment: string;
  status: string;
  strategy: string;
  desired: number;
  running: number;
  pending: number;
  taskDefinition: string;
  logGroup: string;
  deployments: {
    id: string;
    status: string;
    rolloutState: string;
    running: number;
    desired: number;
    taskDefinition: string;
  }[];
  current: DeployRecord | undefined;
  history: DeployRecord[];
  traffic: TrafficSplit[];
  events: { at: number; message: string }[];
}

export interface AlarmView {
  name: string;
  description: string;
  state: string;
  reason: string;
  updatedAt: number | undefined;
  metric: string;
  threshold: number | undefined;
  comparison: string;
  period: number;
  evaluationPeriods: number;
  actionsEnabled: boolean;
  /** The metric's recent values, oldest first: [epoch ms, value]. */
  points: [number, number][];
  history: { at: number; summary: string }[];
}

export interface MailSummary {
  file: string;
  to: string;
  subject: string;
  date: string;
}

export interface AlarmsSnapshot {
  alarms: AlarmView[];
  /** Undefined when the console was not told where the region keeps its state. */
  outbox: MailSummary[] | undefined;
}

export interface LogLine {
  id: string;
  at: number;
  stream: string;
  message: string;
}

export interface TargetState {
  targetGroup: string;
  state: string;
  reason: string;
  /** Seconds of deregistration delay left, for a draining target. */
  drainLeft: number | undefined;
}

export interface TaskView {
  id: string;
  cluster: string;
  service: string;
  revision: string;
  lastStatus: string;
  desiredStatus: string;
  health: string;
  image: string;
  digest: string;
  hostPorts: number[];
  startedAt: number | undefined;
  stoppedReason: string;
  cpu: string;
  memory: string;
  targets: TargetState[];
}

export interface TasksSnapshot {
  tasks: TaskView[];
  /** AWS/ECS CPUUtilization and MemoryUtilization per service, the newest minute (percent). */
  utilization: { service: string; cpu: number | undefined; memory: number | undefined }[];
}

export interface RuleView {
  listener: string;
  priority: string;
  conditions: string[];
  action: string;
  weights: { targetGroup: string; weight: number }[];
}

export interface TargetGroupMetrics {
  name: string;
  healthCheck: string;
  requests: [number, number][];
  errors5xx: [number, number][];
  p95ms: [number, number][];
}

export interface LoadBalancerSnapshot {
  loadBalancers: { name: string; dns: string; listeners: string[] }[];
  rules: RuleView[];
  targetGroups: TargetGroupMetrics[];
}

/**
 * ECS's lifecycle stages of a service deployment in the order it goes through them (as the `ecs`
 * CLI's model lists them: pipelines/src/ecs/model/service-deployment.ts; the console can't import
 * it, since `npm start` in pipelines starts the console).
 */
export const LIFECYCLE_STAGES = [
  "RECONCILE_SERVICE",
  "PRE_SCALE_UP",
  "SCALE_UP",
  "POST_SCALE_UP",
  "TEST_TRAFFIC_SHIFT",
  "POST_TEST_TRAFFIC_SHIFT",
  "PRE_PRODUCTION_TRAFFIC_SHIFT",
  "PRODUCTION_TRAFFIC_SHIFT",
  "POST_PRODUCTION_TRAFFIC_SHIFT",
  "BAKE_TIME",
  "CLEAN_UP",
] as const;

export interface AppLink {
  service: string;
  /** Where people reach it through the load balancer: http://<host>:<port><path>. */
  url: string;
  health: string;
  version: string;
}
