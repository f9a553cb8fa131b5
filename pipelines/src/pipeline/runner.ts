import type { PipelineContext, RunMemory } from "./context.js";
import type { StageEvent } from "./notices/events.js";
import type { PlannedStage } from "./plan.js";
import {
  initialProgress,
  nextStage,
  type RunProgress,
  runOutcome,
  stageFailed,
  stagePassed,
  stageStarted,
} from "./run-state.js";
import { STAGE_ACTIONS, type StageAction } from "./stage-actions.js";
import { type Fact, STAGES, type StageName, stageDefinition } from "./stages.js";
import { type PipelineState, withFact, withoutFacts, writeState } from "./state-file.js";
import { stageFooter, stageHeader, summary } from "./view.js";

/** Facts that only mean something inside one run (the built images live in memory). */
const IN_RUN_FACTS: readonly Fact[] = ["built"];

export interface RunOptions {
  plan: PlannedStage[];
  state: PipelineState;
  /** Where the state is saved after every stage; undefined keeps it in memory. */
  stateFile?: string;
  actions?: Record<StageName, StageAction>;
}

export interface RunResult {
  progress: RunProgress;
  state: PipelineState;
  outcome: ReturnType<typeof runOutcome>;
}

/** Runs the planned stages in order; the first failure stops the run. Prints the progress view. */
export async function runPipeline(ctx: PipelineContext, options: RunOptions): Promise<RunResult> {
  const actions = options.actions ?? STAGE_ACTIONS;
  const memory: RunMemory = { built: new Map() };
  let progress = initialProgress(options.plan);
  let state = forgetRerunFacts(options.state, options.plan);
  const save = () => {
    if (options.stateFile) writeState(options.stateFile, withoutFacts(state, IN_RUN_FACTS));
  };
  for (let name = nextStage(progress); name; name = nextStage(progress)) {
    progress = stageStarted(progress, name, ctx.now());
    const current = progress.stages.find((s) => s.name === name)!;
    ctx.ci.blockStart(name);
    ctx.log(stageHeader(progress, current));
    await tell(ctx, { type: "started", stage: name, state });
    let event: StageEvent;
    try {
      const result = await actions[name](ctx, state, memory);
      state = stageDefinition(name).produces.reduce(withFact, result.state);
      save();
      progress = stagePassed(progress, name, ctx.now(), result.note);
      event = { type: "passed", stage: name, state };
    } catch (error) {
      const cause = error instanceof Error ? error.message : String(error);
      progress = stageFailed(progress, name, ctx.now(), cause);
      ctx.ci.problem(`${name}: ${cause}`);
      event = { type: "failed", stage: name, state, error: cause };
    }
    ctx.ci.blockEnd(name);
    ctx.log(stageFooter(progress.stages.find((s) => s.name === name)!));
    await tell(ctx, event);
  }
  for (const line of summary(progress)) ctx.log(line);
  return { progress, state, outcome: runOutcome(progress) };
}

/** A notice that can't be sent is a warning line: it never fails the run nor hides a stage's own error. */
async function tell(ctx: PipelineContext, event: StageEvent): Promise<void> {
  if (!ctx.notify) return;
  try {
    await ctx.notify(event);
  } catch (error) {
    ctx.log(
      `warning: notice not sent (${event.stage} ${event.type}): ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

/**
 * Running a stage again invalidates what it and every later stage recorded: a new push must not
 * inherit the old run's "verified.qa".
 */
export function forgetRerunFacts(state: PipelineState, plan: PlannedStage[]): PipelineState {
  const first = plan.findIndex((p) => p.run);
  if (first < 0) return state;
  const stale = STAGES.slice(first).flatMap((s) => s.produces);
  return withoutFacts(state, stale);
}
