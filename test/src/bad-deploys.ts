import type { Sample } from "./load.js";
import { commitOf, isFailure } from "./load-summary.js";

// Pure reading of the bad-deploys scenario (test/reliability/bad-deploys.ts): what each deploy came
// to, whether it held the scenario's conditions, and the rows the report shows.

/** What the script saw of one bad deploy. */
export interface DeployObservation {
  /** Short name: crash, unhealthy, 5xx, missing image, oom. */
  name: string;
  /** Epoch ms: `ecs deploy` started, and the moment api-qa was seen back on its old revision, steady. */
  startedAt: number;
  rolledBackAt?: number | undefined;
  exitCode: number;
  /** `ecs deploy`'s output, both streams. */
  output: string;
  /** The newest service deployment's status after the deploy (ROLLBACK_SUCCESSFUL, ...); none if it started none. */
  serviceDeploymentStatus?: string | undefined;
  /** Stopped reasons of the tasks the deploy started. */
  stoppedReasons: string[];
  /** api-qa's task definition before the deploy and once the CLI returned. */
  revisionBefore: string;
  revisionAfter: string;
  /** Alarms the service deployment says rolled it back. */
  triggeredAlarms: string[];
}

/** What each deploy must show, beside the common rules (non-zero exit, back on the old revision). */
export interface DeployExpectation {
  /** The stopped reason (or, for the alarm, the alarm's name) that says the right thing caught it. */
  cause: RegExp;
  /** Whether ECS ran a service deployment at all (false: the CLI refused before changing anything). */
  startsDeployment: boolean;
}

export interface DeployVerdict {
  name: string;
  outcome: string;
  /** Seconds from `ecs deploy`'s start to api-qa back on the old revision, steady. */
  rollbackSeconds?: number | undefined;
  stoppedReason: string;
  exitCode: number;
  cliMessage: string;
  /** Failed requests per stream sent while the deploy ran (start → rolled back). */
  failedDuring: Record<string, number>;
  problems: string[];
}

/**
 * `ecs deploy`'s verdict on a failed deploy (its cause and the tasks' last log lines follow it), or
 * its refusal; else its last line.
 */
export function cliVerdictLine(output: string): string {
  const lines = output
    .split("\n")
    .map((l) => l.trim().replace(/^\S+Z\s+/, ""))
    .filter(Boolean);
  const verdict = lines.find((l) => /^(Deploy|Rollback) of .* FAILED|nothing was changed/.test(l));
  return verdict ?? lines.at(-1) ?? "";
}

/** Whether a service deployment's status is final (not one on its way to SUCCESSFUL, STOPPED or ROLLBACK_*). */
export function isFinished(status: string | undefined): boolean {
  return status !== undefined && /^(SUCCESSFUL|STOPPED|ROLLBACK_SUCCESSFUL|ROLLBACK_FAILED)$/.test(status);
}

/** The first stopped reason that names the cause, else the first one (a deploy's tasks all stop alike). */
export function mainStoppedReason(reasons: readonly string[], cause: RegExp): string {
  return reasons.find((r) => cause.test(r)) ?? reasons[0] ?? "";
}

export function judgeDeploy(
  seen: DeployObservation,
  expected: DeployExpectation,
  samples: readonly Sample[],
): DeployVerdict {
  const problems: string[] = [];
  const end = seen.rolledBackAt ?? Number.POSITIVE_INFINITY;
  const during = samples.filter((s) => s.startedAt >= seen.startedAt && s.startedAt <= end);
  const failedDuring: Record<string, number> = {};
  for (const s of [...during].sort((a, b) => a.stream.localeCompare(b.stream))) {
    failedDuring[s.stream] = (failedDuring[s.stream] ?? 0) + (isFailure(s) ? 1 : 0);
  }
  if (seen.exitCode === 0) problems.push("ecs deploy exited 0");
  if (seen.revisionAfter !== seen.revisionBefore)
    problems.push(`api-qa on ${seen.revisionAfter} afterwards, not ${seen.revisionBefore}`);
  if (seen.rolledBackAt === undefined) problems.push("api-qa was not seen back on its old revision");
  const status = seen.serviceDeploymentStatus ?? "";
  if (expected.startsDeployment && !status.startsWith("ROLLBACK_"))
    problems.push(`service deployment ${status || "not found"}, not ROLLBACK_*`);
  if (!expected.startsDeployment && seen.serviceDeploymentStatus !== undefined)
    problems.push(`a service deployment started (${status}) though the CLI should have refused`);
  const evidence = [...seen.stoppedReasons, ...seen.triggeredAlarms, cliVerdictLine(seen.output)];
  if (!evidence.some((e) => expected.cause.test(e)))
    problems.push(`nothing says ${expected.cause}: ${JSON.stringify(evidence)}`);
  return {
    name: seen.name,
    outcome: expected.startsDeployment ? status || "none" : "refused, nothing changed",
    rollbackSeconds:
      seen.rolledBackAt === undefined ? undefined : round1((seen.rolledBackAt - seen.startedAt) / 1000),
    stoppedReason:
      seen.triggeredAlarms.length > 0
        ? `alarm ${seen.triggeredAlarms.join(", ")}`
        : mainStoppedReason(seen.stoppedReasons, expected.cause) || "none (no task started)",
    exitCode: seen.exitCode,
    cliMessage: cliVerdictLine(seen.output),
    failedDuring,
    problems,
  };
}

/** The scenario's conditions on the load itself: qa and prod answer, and qa only the old version. */
export function loadProblems(
  samples: readonly Sample[],
  streams: { qa: string[]; prod: string[] },
  oldCommit: string,
): string[] {
  const problems: string[] = [];
  for (const stream of [...streams.qa, ...streams.prod]) {
    const mine = samples.filter((s) => s.stream === stream);
    if (mine.length === 0) problems.push(`no request in stream ${stream}`);
    const failed = mine.filter(isFailure);
    if (failed.length > 0) {
      const first = failed[0] as Sample;
      problems.push(
        `${failed.length} failed request(s) in ${stream}, the first ${first.error ?? first.status} ${first.path}`,
      );
    }
  }
  for (const stream of streams.qa) {
    const other = samples.filter(
      (s) => s.stream === stream && !isFailure(s) && commitOf(s) !== undefined && commitOf(s) !== oldCommit,
    );
    if (other.length > 0)
      problems.push(`${other.length} qa answer(s) from commit ${commitOf(other[0] as Sample)}`);
  }
  return problems;
}

/** Prod's service as seen before and after: the same revision and the very same tasks. */
export function prodProblems(
  before: { revision: string; taskArns: string[] },
  after: { revision: string; taskArns: string[] },
): string[] {
  const problems: string[] = [];
  if (before.revision !== after.revision) problems.push(`api-prod ${before.revision} → ${after.revision}`);
  const gone = before.taskArns.filter((arn) => !after.taskArns.includes(arn));
  const added = after.taskArns.filter((arn) => !before.taskArns.includes(arn));
  if (gone.length + added.length > 0)
    problems.push(`api-prod's tasks changed: ${gone.length} gone, ${added.length} new`);
  return problems;
}

/** One deploy's verdict as the result's figures (`<n>. <name>: ...`). */
export function verdictFigures(index: number, v: DeployVerdict): Record<string, string | number | boolean> {
  const key = `${index + 1}. ${v.name}`;
  const failed = Object.entries(v.failedDuring)
    .map(([stream, n]) => `${stream} ${n}`)
    .join(", ");
  return {
    [`${key}: outcome`]: v.outcome,
    [`${key}: deploy start → rolled back, s`]: v.rollbackSeconds ?? "not rolled back",
    [`${key}: stopped reason`]: v.stoppedReason,
    [`${key}: ecs deploy exit code, verdict`]: `${v.exitCode}: ${v.cliMessage}`,
    [`${key}: failed requests during it`]: failed || "no requests",
    [`${key}: pass`]: v.problems.length === 0 ? true : v.problems.join("; "),
  };
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}
