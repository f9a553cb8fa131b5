import { request } from "node:http";
import type { Elbv2Model } from "../../services/elbv2/model.js";
import { matcherAccepts } from "../../services/elbv2/validation.js";
import type { TargetEntry, TargetRegistry } from "./target-registry.js";

// Active health checks, one timer per target: a check right after registration, then one every
// interval, each with the group's current path, timeout and matcher (ModifyTargetGroup applies at
// the next check). Groups no listener uses are not checked (their targets are `unused`).

export type CheckOutcome = { ok: true } | { ok: false; reason: string; description: string };

export class HealthChecker {
  private readonly timers = new Map<TargetEntry, { timer: NodeJS.Timeout; loop: number }>();
  private loops = 0;
  private stopped = false;

  constructor(
    private readonly model: Elbv2Model,
    private readonly registry: TargetRegistry,
    private readonly host = "127.0.0.1",
  ) {
    registry.onTargetAdded = (arn, entry) => this.schedule(arn, entry, 0);
    registry.onTargetRemoved = (_arn, entry) => this.cancel(entry);
    registry.onTargetReset = (arn, entry) => {
      this.cancel(entry);
      this.schedule(arn, entry, 0);
    };
  }

  /** Each (re)start of a target's checks is a new loop; a check from an older loop is dropped. */
  private schedule(arn: string, entry: TargetEntry, delayMs: number, loop = ++this.loops): void {
    if (this.stopped) return;
    const timer = setTimeout(() => void this.tick(arn, entry, loop), delayMs);
    timer.unref();
    this.timers.set(entry, { timer, loop });
  }

  private cancel(entry: TargetEntry): void {
    const scheduled = this.timers.get(entry);
    if (scheduled) clearTimeout(scheduled.timer);
    this.timers.delete(entry);
  }

  private current(entry: TargetEntry, loop: number): boolean {
    return this.timers.get(entry)?.loop === loop;
  }

  private async tick(arn: string, entry: TargetEntry, loop: number): Promise<void> {
    const tg = this.model.state.targetGroups[arn];
    if (!tg || !this.current(entry, loop)) return;
    if (this.registry.isUsed(arn)) {
      const outcome = await checkTarget(
        this.host,
        entry.target.port,
        tg.healthCheck.path,
        tg.healthCheck.timeoutSeconds * 1000,
        tg.healthCheck.matcher,
      );
      if (!this.current(entry, loop)) return;
      this.registry.recordCheck(arn, entry, outcome);
    }
    const current = this.model.state.targetGroups[arn];
    if (current) this.schedule(arn, entry, current.healthCheck.intervalSeconds * 1000, loop);
  }

  stop(): void {
    this.stopped = true;
    for (const { timer } of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }
}

/** One HTTP health check, with ELBv2's reason codes for a failure. */
export function checkTarget(
  host: string,
  port: number,
  path: string,
  timeoutMs: number,
  matcher: string,
): Promise<CheckOutcome> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (outcome: CheckOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const req = request(
      {
        host,
        port,
        path,
        method: "GET",
        agent: false,
        headers: { "user-agent": "ELB-HealthChecker/2.0", host: `${host}:${port}` },
      },
      (res) => {
        res.resume();
        const status = res.statusCode ?? 0;
        finish(
          matcherAccepts(matcher, status)
            ? { ok: true }
            : {
                ok: false,
                reason: "Target.ResponseCodeMismatch",
                description: `Health checks failed with these codes: [${status}]`,
              },
        );
        req.destroy();
      },
    );
    const timer = setTimeout(() => {
      finish({ ok: false, reason: "Target.Timeout", description: "Request timed out" });
      req.destroy();
    }, timeoutMs);
    req.on("error", () =>
      finish({ ok: false, reason: "Target.FailedHealthChecks", description: "Health checks failed" }),
    );
    req.end();
  });
}
