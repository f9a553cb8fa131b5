// Pure reading of `npm run pipeline`'s closing table (pipelines/src/pipeline/view.ts `summary`):
//   "  ✓ build        passed    12.3s"  …  "pipeline succeeded in 201.4s"

export interface StageTime {
  stage: string;
  status: string;
  seconds: number | undefined;
}

export interface PipelineSummary {
  stages: StageTime[];
  outcome: string | undefined;
  totalSeconds: number | undefined;
}

const ROW = /^ {2}[✓✗\-·▶] ([\w-]+)\s+(passed|failed|skipped|blocked|pending|running)\s*(?:([\d.]+)s)?/;
const TOTAL = /^pipeline (succeeded|failed|incomplete) in ([\d.]+)s/;

/** The last summary table in the output (a run prints one, at its end). */
export function parsePipelineSummary(output: string): PipelineSummary {
  const lines = output.split(/\r?\n/);
  const end = lines.findLastIndex((line) => TOTAL.test(line));
  if (end < 0) return { stages: [], outcome: undefined, totalSeconds: undefined };
  const stages: StageTime[] = [];
  for (let i = end - 1; i >= 0; i--) {
    const row = ROW.exec(lines[i] ?? "");
    if (!row) break;
    stages.unshift({ stage: row[1]!, status: row[2]!, seconds: row[3] ? Number(row[3]) : undefined });
  }
  const total = TOTAL.exec(lines[end]!)!;
  return { stages, outcome: total[1], totalSeconds: Number(total[2]) };
}
