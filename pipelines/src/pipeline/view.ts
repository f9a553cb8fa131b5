import { durationMs, type RunProgress, runOutcome, type StageProgress } from "./run-state.js";

// The stage-by-stage progress view as pure formatting: the runner prints these lines, the tests
// read them. Plain text that reads the same in a terminal and in a CI log.

const MARK: Record<StageProgress["status"], string> = {
  pending: "·",
  running: "▶",
  passed: "✓",
  failed: "✗",
  skipped: "-",
  blocked: "-",
};

export function formatSeconds(ms: number | undefined): string {
  return ms === undefined ? "" : `${(ms / 1000).toFixed(1)}s`;
}

export function stageHeader(progress: RunProgress, stage: StageProgress): string {
  const runnable = progress.stages.filter((s) => s.status !== "skipped");
  const position = runnable.findIndex((s) => s.name === stage.name) + 1;
  return `${MARK.running} [${position}/${runnable.length}] ${stage.name}: ${stage.title}`;
}

export function stageFooter(stage: StageProgress): string {
  const time = formatSeconds(durationMs(stage));
  const note = stage.note ? ` — ${stage.note}` : "";
  return `${MARK[stage.status]} ${stage.name} ${stage.status} in ${time}${note}`;
}

/** The table at the end: every stage, its status and time, and the total. */
export function summary(progress: RunProgress): string[] {
  const width = Math.max(...progress.stages.map((s) => s.name.length));
  const lines = progress.stages.map((s) => {
    const time = formatSeconds(durationMs(s)).padStart(7);
    const note = s.note && s.status !== "passed" ? `  ${s.note}` : "";
    return `  ${MARK[s.status]} ${s.name.padEnd(width)}  ${s.status.padEnd(7)} ${time}${note}`;
  });
  const total = progress.stages.reduce((sum, s) => sum + (durationMs(s) ?? 0), 0);
  lines.push(`pipeline ${runOutcome(progress)} in ${formatSeconds(total)}`);
  return lines;
}
