import type { AlarmStates, AlarmStateView } from "../../../contracts.js";
import type { DeploymentRecord, ServiceRecord } from "./types.js";

// ECS's deployment alarms as pure rules: which alarms fail a deployment, and how long a deployment
// bakes once its tasks alone serve. The alarm states come through the AlarmStates seam.

export const NO_ALARMS: AlarmStates = { get: () => undefined };

/** The service's deployment alarms while `enable` is on; none otherwise. */
export function watchedAlarms(service: ServiceRecord): string[] {
  const alarms = service.deploymentConfiguration.alarms;
  return alarms?.enable ? alarms.alarmNames : [];
}

/**
 * The watched alarms that went to ALARM since the deployment began. One already in ALARM when it
 * began does not count (ECS ignores it) until it leaves ALARM and goes back.
 */
export function triggeredAlarms(
  service: ServiceRecord,
  deployment: DeploymentRecord,
  alarms: AlarmStates,
): AlarmStateView[] {
  const since = deployment.createdAt * 1000;
  return watchedAlarms(service)
    .map((name) => alarms.get(name))
    .filter((a): a is AlarmStateView => a?.stateValue === "ALARM" && a.stateTransitionedAt > since);
}

/**
 * ECS computes the bake time from the alarms and does not say how; here it is the longest time a
 * breach takes to show among them, so a version that fails from its first request is caught.
 */
export function bakeSeconds(service: ServiceRecord, alarms: AlarmStates): number {
  const times = watchedAlarms(service).map((name) => alarms.get(name)?.evaluationSeconds ?? 0);
  return Math.max(0, ...times);
}

/** Whether a deployment whose tasks alone serve has baked long enough to be COMPLETED. */
export function bakeDone(
  service: ServiceRecord,
  deployment: DeploymentRecord,
  alarms: AlarmStates,
  now: number,
): boolean {
  // A service's first deployment has nothing to roll back to, so there is nothing to bake for (and
  // a new service is steady as soon as its tasks are).
  if (!service.lastCompletedTaskDefinition) return true;
  const bake = bakeSeconds(service, alarms);
  if (bake === 0) return true;
  return deployment.bakeStartedAt !== undefined && now >= deployment.bakeStartedAt + bake;
}
