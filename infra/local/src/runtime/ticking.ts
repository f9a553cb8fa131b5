// The runtime's once-a-second passes (alarm evaluation, scaling) on an injectable clock: started
// once, stopped by the region, and a failed pass logged instead of ending the timer.

export interface EvaluatorClock {
  now(): number;
  /** Calls `tick` every `ms`; returns the way to stop it. */
  every(ms: number, tick: () => void): () => void;
}

export const realClock: EvaluatorClock = {
  now: Date.now,
  every: (ms, tick) => {
    const timer = setInterval(tick, ms);
    timer.unref();
    return () => clearInterval(timer);
  },
};

const TICK_MS = 1000;

export abstract class EverySecond {
  protected readonly clock: EvaluatorClock;
  private stopTicking: (() => void) | undefined;

  constructor(
    clock: EvaluatorClock | undefined,
    /** What the log says a failed pass was, e.g. `cloudwatch: alarm evaluation failed`. */
    private readonly failure: string,
    private readonly log: ((message: string) => void) | undefined,
  ) {
    this.clock = clock ?? realClock;
  }

  abstract tick(): unknown;

  start(): void {
    this.stopTicking ??= this.clock.every(TICK_MS, () => this.safeTick());
  }

  stop(): void {
    this.stopTicking?.();
    this.stopTicking = undefined;
  }

  private safeTick(): void {
    try {
      this.tick();
    } catch (error) {
      (this.log ?? console.error)(`${this.failure}: ${String(error)}`);
    }
  }
}
