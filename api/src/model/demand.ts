// When to publish the demand metrics, and what they are. Lean when idle (one batched call a
// minute), fast when busy (at once when work appears or the backlog moves a lot).

export interface DemandSample {
  queueDepth: number;
  backlogPerTask: number;
}

/** Queue depth per running worker task; with no task the whole queue is one task's backlog. */
export function demandOf(queueDepth: number, tasks: number): DemandSample {
  return { queueDepth, backlogPerTask: queueDepth / Math.max(1, tasks) };
}

export interface Published {
  at: number;
  sample: DemandSample;
}

export function shouldPublish(
  last: Published | undefined,
  sample: DemandSample,
  now: number,
  intervalMs: number,
  minGapMs = 10_000,
): boolean {
  if (!last) return true;
  const elapsed = now - last.at;
  if (elapsed >= intervalMs) return true;
  if (elapsed < minGapMs) return false;
  const before = last.sample.queueDepth;
  const after = sample.queueDepth;
  if ((before === 0) !== (after === 0)) return true;
  return Math.abs(after - before) >= Math.max(2, before * 0.5);
}
