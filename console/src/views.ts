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
