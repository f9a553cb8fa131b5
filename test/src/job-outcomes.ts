// Pure: whether every submitted transcoding job completed exactly once, read from the service's
// event log (a job's completion is its JobFinished event; one redone after its worker was stopped has
// JobRequeued events before it, and still one JobFinished).

export interface LoggedEvent {
  seq: number;
  jobID: string;
  action: string;
  job?: { status?: string };
}

export interface JobOutcomes {
  submitted: number;
  /** Jobs with exactly one JobFinished. */
  completed: number;
  /** Jobs with more than one JobFinished. */
  duplicated: string[];
  /** Jobs with none (not finished, failed or canceled). */
  notCompleted: string[];
  failed: string[];
  /** Jobs handed back at least once (JobRequeued): a worker stopped by a deploy, the job redone. */
  requeued: number;
}

export function jobOutcomes(jobIds: readonly string[], events: readonly LoggedEvent[]): JobOutcomes {
  const count = (action: string) => {
    const by = new Map<string, number>();
    for (const e of events) if (e.action === action) by.set(e.jobID, (by.get(e.jobID) ?? 0) + 1);
    return by;
  };
  const finished = count("JobFinished");
  const failed = count("JobFailed");
  const requeued = count("JobRequeued");
  return {
    submitted: jobIds.length,
    completed: jobIds.filter((id) => finished.get(id) === 1).length,
    duplicated: jobIds.filter((id) => (finished.get(id) ?? 0) > 1),
    notCompleted: jobIds.filter((id) => !finished.has(id)),
    failed: jobIds.filter((id) => failed.has(id)),
    requeued: jobIds.filter((id) => requeued.has(id)).length,
  };
}
