import type { AlarmEvidence } from "../model/alarm-watch.js";
import { describeProgress, type Progress } from "../model/deploy-verdict.js";
import { type Change, formatChange } from "../model/diff.js";
import type { DeployResult, StoppedTaskCause } from "../model/result.js";
import { familyRevision } from "../model/revision-tags.js";
import { describeShift, type ShiftProgress, shortDeploymentId } from "../model/traffic-shift.js";

// The human wording shared by the terminal, CI, TeamCity and GitHub renderers.

export function progressText(p: Progress): string {
  const event = p.lastEvent ? ` | ${p.lastEvent}` : "";
  return `${p.deploymentId} ${describeProgress(p)} | ${p.elapsedSeconds}s${event}`;
}

export function shiftText(p: ShiftProgress): string {
  return `${p.strategy} ${shortDeploymentId(p.serviceDeploymentArn)} ${describeShift(p)} | ${p.elapsedSeconds}s`;
}

export function changeLines(changes: Change[]): string[] {
  return changes.length === 0 ? ["(no changes)"] : changes.map(formatChange);
}

export function headline(result: DeployResult): string {
  const r = readable(result);
  const where = `${r.cluster}/${r.service}`;
  if (r.command === "rollback") {
    return r.exitCode === 0
      ? `Rolled back ${where} to ${r.taskDefinition} in ${r.elapsedSeconds}s (${r.success?.explanation})`
      : `Rollback of ${where} to ${r.taskDefinition} FAILED: ${r.failure?.explanation}`;
  }
  switch (r.outcome) {
    case "deployed":
      return `Deployed ${r.taskDefinition} to ${where} in ${r.elapsedSeconds}s (${r.success?.explanation})`;
    case "unchanged":
      return `Nothing to deploy: ${where} already runs ${r.taskDefinition} with these images and settings`;
    case "reached": {
      const paused = r.hookId
        ? `; ECS waits at hook ${r.hookId}: ecs continue ${r.cluster} ${r.service} [--rollback]`
        : "";
      return `Service deployment ${r.serviceDeploymentArn} of ${r.taskDefinition} to ${where} reached ${r.stage}${paused}`;
    }
    case "started":
      return `Started deployment ${r.deploymentId} of ${r.taskDefinition} to ${where} (not waiting: --timeout -1)`;
    case "rolled-back":
      return `Deploy of ${r.taskDefinition} to ${where} FAILED: ${r.failure?.explanation}; rolled back to ${r.rollback?.to}`;
    case "rollback-failed":
      return `Deploy of ${r.taskDefinition} to ${where} FAILED: ${r.failure?.explanation}; ROLLBACK FAILED: ${r.rollback?.explanation ?? "not attempted"}`;
    case "failed":
      if (r.serviceDeploymentArn && r.failure?.reason !== "timeout")
        return `Deploy of ${r.taskDefinition} to ${where} FAILED: ${r.failure?.explanation}`;
      return `Deploy of ${r.taskDefinition} to ${where} FAILED: ${r.failure?.explanation}; not rolled back (--no-rollback)`;
  }
}

export function causeLines(causes: StoppedTaskCause[]): string[] {
  const lines: string[] = [];
  for (const task of causes) {
    const id = task.taskArn.slice(task.taskArn.lastIndexOf("/") + 1);
    lines.push(
      `task ${id} stopped: ${task.stoppedReason ?? "no reason given"}${task.stopCode ? ` (${task.stopCode})` : ""}`,
    );
    for (const c of task.containers) {
      const exit = c.exitCode === undefined ? "no exit code" : `exit code ${c.exitCode}`;
      lines.push(`  container ${c.name}: ${exit}${c.reason ? `, ${c.reason}` : ""}`);
    }
    for (const log of task.logs) {
      if (log.lines.length === 0) continue;
      lines.push(`  last log lines of ${log.container}:`);
      for (const line of log.lines) lines.push(`    ${line}`);
    }
  }
  return lines;
}

/** The alarm that failed a deploy: its name, why CloudWatch says it fired, the log lines behind it. */
export function alarmLines(alarm: AlarmEvidence | undefined): string[] {
  if (!alarm) return [];
  const lines = [`alarm ${alarm.name} is in ALARM: ${alarm.stateReason || "no reason given"}`];
  if (alarm.logLines.length === 0) return lines;
  const pattern = alarm.filterPattern ? ` matching ${alarm.filterPattern}` : "";
  lines.push(`  last log lines of ${alarm.logGroup}${pattern}:`);
  for (const line of alarm.logLines) lines.push(`    ${line}`);
  return lines;
}

/** Why a deploy failed, below its headline: the alarm, then the stopped tasks. */
export function failureLines(r: DeployResult): string[] {
  return [...alarmLines(r.alarm), ...causeLines(r.stoppedTasks)];
}

/** Everything a person reads at the end: the verdict, then the cause when it failed. */
export function resultLines(r: DeployResult): string[] {
  return [headline(r), ...failureLines(r)];
}

/** Revisions as `family:revision`, explanations without a trailing period: a headline reads as one sentence. */
function readable(r: DeployResult): DeployResult {
  const short = (arn: string | undefined) => (arn ? familyRevision(arn) : arn);
  const clean = (text: string) =>
    text.replace(/arn:aws[a-z-]*:ecs:[^ )]*task-definition\/([^ )]+)/g, "$1").replace(/\.$/, "");
  return {
    ...r,
    taskDefinition: short(r.taskDefinition),
    previousTaskDefinition: short(r.previousTaskDefinition),
    failure: r.failure && { ...r.failure, explanation: clean(r.failure.explanation) },
    rollback: r.rollback && {
      ...r.rollback,
      to: short(r.rollback.to) ?? r.rollback.to,
      explanation: r.rollback.explanation && clean(r.rollback.explanation),
    },
  };
}
