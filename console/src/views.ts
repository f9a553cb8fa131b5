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
