import type { AlarmEvidence } from "./alarm-watch.js";
import type { FailureReason, SuccessRule } from "./deploy-verdict.js";
import type { Change } from "./diff.js";
import type { ContainerState } from "./snapshot.js";

/** Why a stopped task stopped, as far as ECS and its logs tell. */
export interface StoppedTaskCause {
  taskArn: string;
  stoppedReason?: string;
  stopCode?: string;
  containers: ContainerState[];
  logs: { container: string; lines: string[] }[];
}

export type Outcome =
  /** The new revision serves. */
  | "deployed"
  /** Nothing changed: no revision registered, no deployment started. */
  | "unchanged"
  /** --timeout -1: the deployment started and was not waited for. */
  | "started"
  | "rolled-back"
  | "rollback-failed"
  /** Failed with --no-rollback. */
  | "failed";

export interface DeployResult {
  /** `ecs deploy` or `ecs rollback`. */
  command: "deploy" | "rollback";
  outcome: Outcome;
  exitCode: 0 | 1 | 2;
  cluster: string;
  service: string;
  taskDefinition?: string;
  previousTaskDefinition?: string;
  deploymentId?: string;
  success?: { rule: SuccessRule; explanation: string };
  failure?: { reason: FailureReason; explanation: string };
  rollback?: {
    method: "StopServiceDeployment" | "UpdateService" | "ECS circuit breaker";
    to: string;
    completed: boolean;
    explanation?: string;
  };
  stoppedTasks: StoppedTaskCause[];
  /** The alarm that failed the deploy, during the rollout (ECS's deployment alarms) or the bake. */
  alarm?: AlarmEvidence;
  images: { container: string; source: string; image: string }[];
  changes: Change[];
  elapsedSeconds: number;
}
