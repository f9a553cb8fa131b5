// How the verification job is doing, read from GET /api/v1/jobs/{id}, as pure rules: the line to
// print when something changed, and whether waiting is over.

export interface JobView {
  jobid: string;
  status: string;
  phase?: string | null;
  percentComplete?: number;
  attempts?: number;
  errorCode?: string;
  errorMessage?: string;
  result?: { output?: string; bytes?: number };
}

export type JobOutcome =
  | { state: "waiting" }
  | { state: "complete"; output: string }
  | { state: "failed"; reason: string };

/** One line per state change: status, phase, progress, attempt. */
export function progressLine(job: JobView): string {
  const phase = job.phase ? ` ${job.phase}` : "";
  const percent = job.status === "PROGRESSING" ? ` ${job.percentComplete ?? 0}%` : "";
  const attempt = job.attempts && job.attempts > 1 ? ` (attempt ${job.attempts})` : "";
  return `job ${job.jobid}: ${job.status}${phase}${percent}${attempt}`;
}

export function jobOutcome(job: JobView): JobOutcome {
  switch (job.status) {
    case "COMPLETE":
      if (!job.result?.output)
        return { state: "failed", reason: `job ${job.jobid} is COMPLETE without an output` };
      return { state: "complete", output: job.result.output };
    case "ERROR":
      return {
        state: "failed",
        reason: `job ${job.jobid} failed: ${job.errorCode ?? "no errorCode"}: ${job.errorMessage ?? "no errorMessage"}`,
      };
    case "CANCELED":
      return { state: "failed", reason: `job ${job.jobid} was canceled` };
    default:
      return { state: "waiting" };
  }
}
