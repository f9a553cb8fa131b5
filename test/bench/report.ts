import type { Sample } from "../src/load.js";
import { isFailure } from "../src/load-summary.js";
import type { ArmRun, Strategy } from "./arm.js";
import { type VersionSwitch, versionSwitch } from "./switch-time.js";

// What one arm run measured, read from the production load afterwards, and the table over runs.

export interface ArmMeasure {
  strategy: Strategy;
  run: number;
  /** `ecs deploy` started → production answers only the new version (good deploy, then bad deploy). */
  toProductionGood: VersionSwitch;
  toProductionBad: VersionSwitch;
  /** `ecs rollback` started → production answers only the previous version. */
  undo: VersionSwitch;
  /** BLUE_GREEN: ECS's rollback start → only the previous version (the CLI's own start left out). */
  undoAfterEcsMs?: number | undefined;
  cliMs: { good: number; bad: number; undo: number };
  /** Requests sent from the good deploy's start to the service steady again after the undo. */
  requests: number;
  failed: number;
}

export function measureArm(
  arm: ArmRun,
  samples: readonly Sample[],
  versionOf: (s: Sample) => string | undefined,
): ArmMeasure {
  const { good, bad, undo, versions } = arm;
  const undone = versionSwitch(samples, versionOf, versions.good, {
    from: undo.decidedAt,
    until: undo.steadyAt,
  });
  const whole = samples.filter((s) => s.startedAt >= good.startedAt && s.startedAt < undo.steadyAt);
  const ecsOffset =
    undo.ecsRollbackStartedAt === undefined ? undefined : undo.ecsRollbackStartedAt - undo.decidedAt;
  return {
    strategy: arm.strategy,
    run: arm.run,
    toProductionGood: versionSwitch(samples, versionOf, versions.good, {
      from: good.startedAt,
      until: bad.startedAt,
    }),
    toProductionBad: versionSwitch(samples, versionOf, versions.bad, {
      from: bad.startedAt,
      until: undo.decidedAt,
    }),
    undo: undone,
    undoAfterEcsMs:
      ecsOffset === undefined || undone.allMs === undefined ? undefined : undone.allMs - ecsOffset,
    cliMs: { good: good.cliMs, bad: bad.cliMs, undo: undo.cliMs },
    requests: whole.length,
    failed: whole.filter(isFailure).length,
  };
}

export interface Spread {
  n: number;
  median: number;
  min: number;
  max: number;
}

/** Median (the lower of the middle two), min and max, in seconds; undefined values are left out. */
export function spread(values: (number | undefined)[]): Spread | undefined {
  const xs = values.filter((v): v is number => v !== undefined).sort((a, b) => a - b);
  if (xs.length === 0) return undefined;
  return {
    n: xs.length,
    median: xs[Math.floor((xs.length - 1) / 2)]! / 1000,
    min: xs[0]! / 1000,
    max: xs.at(-1)! / 1000,
  };
}

export interface ArmSummary {
  strategy: Strategy;
  runs: number;
  toProduction: Spread | undefined;
  undo: Spread | undefined;
  undoAfterEcs: Spread | undefined;
  /** Runs whose switch never held (production still answered another version at the window's end). */
  unfinished: number;
  requests: number;
  failed: number;
}

export function summarizeArms(measures: ArmMeasure[]): ArmSummary[] {
  const strategies = [...new Set(measures.map((m) => m.strategy))];
  return strategies.map((strategy) => {
    const mine = measures.filter((m) => m.strategy === strategy);
    const switches = mine.flatMap((m) => [m.toProductionGood, m.toProductionBad, m.undo]);
    return {
      strategy,
      runs: mine.length,
      toProduction: spread(mine.flatMap((m) => [m.toProductionGood.allMs, m.toProductionBad.allMs])),
      undo: spread(mine.map((m) => m.undo.allMs)),
      undoAfterEcs: spread(mine.map((m) => m.undoAfterEcsMs)),
      unfinished: switches.filter((s) => s.allMs === undefined).length,
      requests: mine.reduce((sum, m) => sum + m.requests, 0),
      failed: mine.reduce((sum, m) => sum + m.failed, 0),
    };
  });
}

const cell = (s: Spread | undefined) =>
  s ? `${s.median.toFixed(2)} (${s.min.toFixed(2)}–${s.max.toFixed(2)}, n=${s.n})` : "—";

export function table(summaries: ArmSummary[]): string {
  const rows = [
    "| arm | runs | deploy start → prod only new, s: median (min–max) | undo decision → 100 % previous, s | ECS rollback start → 100 % previous, s | requests | failed |",
    "|---|---|---|---|---|---|---|",
  ];
  for (const s of summaries) {
    rows.push(
      `| ${s.strategy} | ${s.runs} | ${cell(s.toProduction)} | ${cell(s.undo)} | ${cell(s.undoAfterEcs)} | ${s.requests} | ${s.failed} |`,
    );
  }
  return rows.join("\n");
}

export function runLines(measures: ArmMeasure[]): string {
  const sec = (ms: number | undefined) => (ms === undefined ? "—" : (ms / 1000).toFixed(2));
  return measures
    .map(
      (m) =>
        `${m.strategy} run ${m.run}: to production ${sec(m.toProductionGood.allMs)} s (bad ${sec(m.toProductionBad.allMs)} s), ` +
        `undo ${sec(m.undo.allMs)} s (first previous answer ${sec(m.undo.firstMs)} s` +
        `${m.undoAfterEcsMs === undefined ? "" : `, after ECS's rollback start ${sec(m.undoAfterEcsMs)} s`}); ` +
        `CLI ${sec(m.cliMs.good)} / ${sec(m.cliMs.bad)} / ${sec(m.cliMs.undo)} s; ${m.requests} requests, ${m.failed} failed`,
    )
    .join("\n");
}
