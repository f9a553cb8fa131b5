import type { RequestHandler } from "express";

// Requests being served, so a stopping process can wait for them (and only them) to finish.

export class InFlight {
  private count = 0;
  private waiters: (() => void)[] = [];

  get size(): number {
    return this.count;
  }

  readonly middleware: RequestHandler = (_req, res, next) => {
    this.count++;
    let left = false;
    const leave = () => {
      if (left) return;
      left = true;
      this.count--;
      if (this.count === 0) for (const wake of this.waiters.splice(0)) wake();
    };
    res.once("finish", leave);
    res.once("close", leave);
    next();
  };

  /** Resolves when no request is in flight, or at the deadline. */
  idle(timeoutMs: number): Promise<void> {
    if (this.count === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      timer.unref();
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
