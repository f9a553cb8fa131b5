import {
  type Fact,
  isStageName,
  STAGE_NAMES,
  STAGES,
  type StageDefinition,
  type StageName,
} from "./stages.js";

// Which stages a run executes, decided before anything runs: a stage is selected by --from/--to,
// --only and --skip, and may run only when every fact it consumes is produced by an earlier
// selected stage or already recorded in the pipeline state (a previous CI job's work).

export interface Selection {
  from?: string;
  to?: string;
  only?: string[];
  skip?: string[];
}

export interface PlannedStage {
  stage: StageDefinition;
  run: boolean;
  /** Why a stage is not run: "before --from", "skipped with --skip", ... */
  reason?: string;
}

export class PlanError extends Error {
  override name = "PlanError";
}

export function planStages(selection: Selection, recorded: ReadonlySet<Fact>): PlannedStage[] {
  const from = stageIndex(selection.from, "--from") ?? 0;
  const to = stageIndex(selection.to, "--to") ?? STAGES.length - 1;
  if (from > to) throw new PlanError(`--from ${selection.from} comes after --to ${selection.to}`);
  const only = new Set(names(selection.only, "--only"));
  const skip = new Set(names(selection.skip, "--skip"));
  const planned = STAGES.map((stage, i): PlannedStage => {
    if (i < from) return { stage, run: false, reason: "before --from" };
    if (i > to) return { stage, run: false, reason: "after --to" };
    if (only.size > 0 && !only.has(stage.name)) return { stage, run: false, reason: "not in --only" };
    if (skip.has(stage.name)) return { stage, run: false, reason: "skipped with --skip" };
    return { stage, run: true };
  });
  requireInputs(planned, recorded, skip);
  if (!planned.some((p) => p.run)) throw new PlanError("the selection leaves no stage to run");
  return planned;
}

function requireInputs(
  planned: PlannedStage[],
  recorded: ReadonlySet<Fact>,
  skipped: ReadonlySet<StageName>,
): void {
  const available = new Set(recorded);
  // A check skipped on purpose (install, lint, test) stands as done: skipping it is the user's explicit call.
  for (const stage of STAGES) {
    if (stage.skipStandsAsDone && skipped.has(stage.name))
      for (const fact of stage.produces) available.add(fact);
  }
  for (const { stage, run } of planned) {
    if (!run) continue;
    const missing = stage.consumes.filter((fact) => !available.has(fact));
    if (missing.length > 0) {
      const producers = missing.map((fact) => STAGES.find((s) => s.produces.includes(fact))!.name);
      throw new PlanError(
        `stage ${stage.name} needs ${missing.join(", ")}, which stage ${[...new Set(producers)].join(", ")} ` +
          "produces: include it, or pass the pipeline state file of the run that did it (--state)",
      );
    }
    for (const fact of stage.produces) available.add(fact);
  }
}

function stageIndex(name: string | undefined, option: string): number | undefined {
  if (name === undefined) return undefined;
  if (!isStageName(name))
    throw new PlanError(`${option} ${name}: unknown stage (stages: ${STAGE_NAMES.join(", ")})`);
  return STAGE_NAMES.indexOf(name);
}

function names(list: string[] | undefined, option: string): StageName[] {
  return (list ?? []).map((name) => {
    if (!isStageName(name))
      throw new PlanError(`${option} ${name}: unknown stage (stages: ${STAGE_NAMES.join(", ")})`);
    return name;
  });
}
