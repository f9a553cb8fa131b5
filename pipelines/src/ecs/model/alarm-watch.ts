// The alarm rules of a deploy's bake, as pure functions over what DescribeAlarms returned.

/** An alarm as the bake sees it (from DescribeAlarms). */
export interface AlarmView {
  name: string;
  state: string;
  stateReason: string;
  /** The last change of state. */
  transitionedAt: Date;
  /** Period × EvaluationPeriods in seconds; 0 when the alarm has no single metric. */
  evaluationSeconds: number;
  metric?: { name: string; namespace: string };
}

/** What a deploy shows about the alarm that failed it. */
export interface AlarmEvidence {
  name: string;
  stateReason: string;
  /** Where the log lines come from: the metric filter's group and pattern, or the service's group. */
  logGroup?: string;
  filterPattern?: string;
  logLines: string[];
}

/** The alarms a deploy watches: the ones it was given and the service's own deployment alarms. */
export function watchedAlarmNames(
  given: readonly string[],
  deploymentAlarms: { alarmNames?: string[]; enable?: boolean } | undefined,
): string[] {
  const own = deploymentAlarms?.enable ? (deploymentAlarms.alarmNames ?? []) : [];
  return [...new Set([...given, ...own])];
}

/**
 * The first alarm that went to ALARM since `since`. One already in ALARM when the deploy began
 * does not count until it leaves ALARM and goes back, as ECS treats its deployment alarms.
 */
export function firstAlarm(alarms: AlarmView[], since: Date): AlarmView | undefined {
  return alarms.find((a) => a.state === "ALARM" && a.transitionedAt.getTime() > since.getTime());
}

/** Without --bake-time: the longest time a breach takes to show among the alarms (the local region's ECS bakes as long). */
export function defaultBakeSeconds(alarms: AlarmView[]): number {
  return Math.max(0, ...alarms.map((a) => a.evaluationSeconds));
}

/** Names given that DescribeAlarms did not find: a typo would silently watch nothing. */
export function missingAlarms(names: readonly string[], found: AlarmView[]): string[] {
  return names.filter((n) => !found.some((a) => a.name === n));
}
