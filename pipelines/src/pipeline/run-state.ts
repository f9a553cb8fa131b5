import type { PlannedStage } from "./plan.js";
import type { StageName } from "./stages.js";

// The progress of one run as plain data: the runner feeds it events, the view and the summary
// read it. A failed stage stops the run: every later stage is reported as not run, with the cause.

export type StageStatus = "pending" | "running" | "passed" | "failed" | "skipped" | "blocked";

export interface StageProgress {
  name: StageName;
  title: string;
  status: StageStatus;
  startedAt?: number;
  endedAt?: number;
  /** Why skipped, blocked or failed; a short result line when passed. */
  note?: string;
}

export interface RunProgress {
  stages: StageProgress[];
}

export function initialProgress(plan: PlannedStage[]): RunProgress {
  return {
    stages: plan.map((p) => ({
      name: p.stage.name,
      title: p.stage.title,
      status: p.run ? "pending" : "skipped",
      ...(p.reason && { note: p.reason }),
    })),
  };
}

export function nextStage(progress: RunProgress): StageName | undefined {
  if (progress.stages.some((s) => s.status === "failed" || s.status === "running")) return undefined;
  return progress.stages.find((s) => s.status === "pending")?.name;
}

export function stageStarted(progress: RunProgress, name: StageName, at: number): RunProgress {
  return update(progress, name, (s) => {
    if (s.status !== "pending") throw new Error(`stage ${name} is ${s.status}, not pending`);
    return { ...s, status: "running", startedAt: at };
  });
}

export function stagePassed(progress: RunProgress, name: StageName, at: number, note?: string): RunProgress {
  return update(progress, name, (s) => ({
    ...running(s),
    status: "passed",
    endedAt: at,
    ...(note && { note }),
  }));
}

/** Marks the stage failed and every stage still pending as blocked by it. */
export function stageFailed(progress: RunProgress, name: StageName, at: number, cause: string): RunProgress {
  const failed = update(progress, name, (s) => ({
    ...running(s),
    status: "failed",
    endedAt: at,
    note: cause,
  }));
  return {
    stages: failed.stages.map((s) =>
      s.status === "pending" ? { ...s, status: "blocked", note: `not run: ${name} failed` } : s,
    ),
  };
}

function running(stage: StageProgress): StageProgress {
  if (stage.status !== "running") throw new Error(`stage ${stage.name} is ${stage.status}, not running`);
  return stage;
}

function update(
  progress: RunProgress,
  name: StageName,
  change: (s: StageProgress) => StageProgress,
): RunProgress {
  let found = false;
  const stages = progress.stages.map((s) => {
    if (s.name !== name) return s;
    found = true;
    return change(s);
  });
  if (!found) throw new Error(`no stage ${name} in this run`);
  return { stages };
}

export type RunOutcome = "succeeded" | "failed" | "incomplete";

export function runOutcome(progress: RunProgress): RunOutcome {
  if (progress.stages.some((s) => s.status === "failed")) return "failed";
  if (progress.stages.some((s) => s.status === "pending" || s.status === "running")) return "incomplete";
  return "succeeded";
}

export function durationMs(stage: StageProgress): number | undefined {
  return stage.startedAt !== undefined && stage.endedAt !== undefined
    ? stage.endedAt - stage.startedAt
    : undefined;
}
