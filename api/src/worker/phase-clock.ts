// Where a job's wall time goes, phase by phase: each mark closes the phase that ran since the
// previous one. The worker logs the result on "job complete" (and the overhead bench prints it), so
// a slow job says whether it waited on the store, the copies, ffprobe or ffmpeg.

export class PhaseClock {
  private last: number;
  private readonly spent = new Map<string, number>();

  constructor(private readonly now: () => number = () => performance.now()) {
    this.last = now();
  }

  /** Ends the phase `name` now; a name marked twice adds up. */
  mark(name: string): void {
    const at = this.now();
    this.spent.set(name, (this.spent.get(name) ?? 0) + (at - this.last));
    this.last = at;
  }

  /** Whole milliseconds per phase, in the order the phases first ended. */
  phasesMs(): Record<string, number> {
    return Object.fromEntries([...this.spent].map(([name, ms]) => [name, Math.round(ms)]));
  }
}
