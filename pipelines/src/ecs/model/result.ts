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
  /** --wait-until: the service deployment reached the stage asked for (and may wait at a hook). */
  | "reached"
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
  /** BLUE_GREEN / CANARY / LINEAR deploys: how the service deployed and ECS's service deployment. */
  strategy?: string;
  serviceDeploymentArn?: string;
  /** --wait-until: the stage reached, and the PAUSE hook ECS waits on there (for `ecs continue`). */
  stage?: string;
  hookId?: string;
  /** --test-url / --test-command: what the check at the test listener found. */
  testCheck?: { passed: boolean; explanation: string };
  success?: { rule: SuccessRule; explanation: string };
  failure?: { reason: FailureReason; explanation: string };
  rollback?: {
    method: "StopServiceDeployment" | "UpdateService" | "ECS circuit breaker" | "ECS service deployment";
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
