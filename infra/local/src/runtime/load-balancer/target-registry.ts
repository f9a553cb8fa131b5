import type { Socket } from "node:net";
import type { Target, TargetHealthView, TargetState } from "../../contracts.js";
import type { Elbv2Model } from "../../services/elbv2/model.js";
import type { TargetGroupRecord } from "../../services/elbv2/state.js";
import { type Drain, Draining, takesNewRequests } from "./draining.js";

// Runtime truth about targets: health state, in-flight requests, open upgraded connections, and
// which target takes the next request. It follows the ELBv2 model: a target that appears is
// `initial`, one that disappears drains (draining.ts).

export interface TargetEntry {
  target: Target;
  state: Exclude<TargetState, "unused" | "unavailable">;
  reason?: string | undefined;
  description?: string | undefined;
  passes: number;
  fails: number;
  inFlight: number;
  connections: Set<Socket>;
  drain?: Drain;
}

interface GroupEntry {
  targets: Map<string, TargetEntry>;
  used: boolean;
  nextIndex: number;
}

export type HealthChangeListener = (targetGroupArn: string, view: TargetHealthView) => void;

export const key = (t: Target): string => `${t.id}:${t.port}`;

export class TargetRegistry {
  private readonly groups = new Map<string, GroupEntry>();
  private readonly listeners = new Set<HealthChangeListener>();
  private readonly draining = new Draining((arn, entry) => this.finishDrain(arn, entry));
  /** Hooks for the health checker: a target to start or stop checking. */
  onTargetAdded: (arn: string, entry: TargetEntry) => void = () => {};
  onTargetRemoved: (arn: string, entry: TargetEntry) => void = () => {};
  /** A target whose checks start over (its group just came into use). */
  onTargetReset: (arn: string, entry: TargetEntry) => void = () => {};

  constructor(private readonly model: Elbv2Model) {}

  /** Brings the runtime in line with the model; called on every model change. */
  reconcile(): void {
    const groups = this.model.state.targetGroups;
    for (const [arn, group] of this.groups) {
      if (!(arn in groups)) {
        for (const entry of group.targets.values()) this.remove(arn, entry);
        this.groups.delete(arn);
      }
    }
    for (const tg of Object.values(groups)) this.reconcileGroup(tg);
  }

  private reconcileGroup(tg: TargetGroupRecord): void {
    let group = this.groups.get(tg.arn);
    if (!group) {
      group = { targets: new Map(), used: false, nextIndex: 0 };
      this.groups.set(tg.arn, group);
    }
    const used = this.model.loadBalancerArnsOf(tg.arn).length > 0;
    const usageChanged = group.used !== used;
    group.used = used;
    const registered = new Set(tg.targets.map(key));
    for (const entry of group.targets.values()) {
      if (!registered.has(key(entry.target)) && entry.state !== "draining") this.startDraining(tg, entry);
    }
    for (const target of tg.targets) {
      const existing = group.targets.get(key(target));
      if (existing?.state === "draining") this.finishDrain(tg.arn, existing);
      if (!existing || existing.state === "draining") this.add(tg.arn, target);
      else if (usageChanged) this.resetToInitial(tg.arn, existing);
    }
  }

  private add(arn: string, target: Target): void {
    const entry: TargetEntry = {
      target: { ...target },
      state: "initial",
      reason: "Elb.RegistrationInProgress",
      description: "Target registration is in progress",
      passes: 0,
      fails: 0,
      inFlight: 0,
      connections: new Set(),
    };
    this.groups.get(arn)!.targets.set(key(target), entry);
    this.emit(arn, entry);
    this.onTargetAdded(arn, entry);
  }

  private resetToInitial(arn: string, entry: TargetEntry): void {
    entry.state = "initial";
    entry.reason = "Elb.RegistrationInProgress";
    entry.description = "Target registration is in progress";
    entry.passes = 0;
    entry.fails = 0;
    this.emit(arn, entry);
    this.onTargetReset(arn, entry);
  }

  private remove(arn: string, entry: TargetEntry): void {
    this.groups.get(arn)?.targets.delete(key(entry.target));
    this.onTargetRemoved(arn, entry);
    this.draining.end(entry);
  }

  private startDraining(tg: TargetGroupRecord, entry: TargetEntry): void {
    this.draining.begin(tg, entry);
    this.onTargetRemoved(tg.arn, entry);
    this.emit(tg.arn, entry);
    this.draining.finishIfIdle(tg.arn, entry);
  }

  private finishDrain(arn: string, entry: TargetEntry): void {
    if (this.groups.get(arn)?.targets.get(key(entry.target)) !== entry) return;
    this.remove(arn, entry);
    this.emitView(arn, {
      ...entry.target,
      state: "unavailable",
      reason: "Target.NotRegistered",
      description: "Target is not registered to the target group",
    });
  }

  /** Resolves once the target is no longer draining in the group (or was never there). */
  drained(arn: string, target: Target): Promise<void> {
    return this.draining.over(this.entry(arn, target));
  }

  entry(arn: string, target: Target): TargetEntry | undefined {
    return this.groups.get(arn)?.targets.get(key(target));
  }

  /** Applies a health check outcome with the group's thresholds. */
  recordCheck(
    arn: string,
    entry: TargetEntry,
    outcome: { ok: true } | { ok: false; reason: string; description: string },
  ): void {
    const tg = this.model.state.targetGroups[arn];
    if (!tg || entry.state === "draining" || this.entry(arn, entry.target) !== entry) return;
    const before = `${entry.state}|${entry.reason}|${entry.description}`;
    if (outcome.ok) {
      entry.fails = 0;
      entry.passes++;
      if (entry.state === "initial" && entry.reason === "Elb.RegistrationInProgress") {
        entry.reason = "Elb.InitialHealthChecking";
        entry.description = "Initial health checks in progress";
      }
      if (entry.passes >= tg.healthCheck.healthyThreshold) this.setState(entry, "healthy");
    } else {
      entry.passes = 0;
      entry.fails++;
      if (entry.state === "initial") {
        entry.reason = "Elb.InitialHealthChecking";
        entry.description = "Initial health checks in progress";
      }
      if (entry.fails >= tg.healthCheck.unhealthyThreshold || entry.state === "unhealthy") {
        this.setState(entry, "unhealthy", outcome.reason, outcome.description);
      }
    }
    if (`${entry.state}|${entry.reason}|${entry.description}` !== before) this.emit(arn, entry);
  }

  private setState(
    entry: TargetEntry,
    state: "healthy" | "unhealthy",
    reason?: string,
    description?: string,
  ): void {
    entry.state = state;
    entry.reason = reason;
    entry.description = description;
  }

  /**
   * The target for the next request: round robin over healthy targets; with none healthy, over all
   * registered ones (ALB fails open), never over draining ones. Undefined when nothing is registered.
   */
  pick(arn: string): TargetEntry | undefined {
    const group = this.groups.get(arn);
    if (!group) return undefined;
    const live = [...group.targets.values()].filter(takesNewRequests);
    const healthy = live.filter((e) => e.state === "healthy");
    const pool = healthy.length > 0 ? healthy : live;
    if (pool.length === 0) return undefined;
    group.nextIndex = (group.nextIndex + 1) % pool.length;
    return pool[group.nextIndex];
  }

  /** Counts a request in flight, which a drain waits for; the returned function ends it (once). */
  acquire(arn: string, entry: TargetEntry): () => void {
    return this.draining.acquire(arn, entry);
  }

  /** Tracks an upgraded (WebSocket) connection, which a drain keeps open until its deadline. */
  trackConnection(arn: string, entry: TargetEntry, socket: Socket): void {
    this.draining.trackConnection(arn, entry, socket);
  }

  health(arn: string): TargetHealthView[] {
    const group = this.groups.get(arn);
    if (!group) return [];
    return [...group.targets.values()].map((e) => this.view(group, e));
  }

  private view(group: GroupEntry, e: TargetEntry): TargetHealthView {
    if (!group.used && e.state !== "draining") {
      return {
        ...e.target,
        state: "unused",
        reason: "Target.NotInUse",
        description: "Target group is not configured to receive traffic from the load balancer",
      };
    }
    return { ...e.target, state: e.state, reason: e.reason, description: e.description };
  }

  isUsed(arn: string): boolean {
    return this.groups.get(arn)?.used ?? false;
  }

  subscribe(listener: HealthChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(arn: string, entry: TargetEntry): void {
    const group = this.groups.get(arn);
    if (group) this.emitView(arn, this.view(group, entry));
  }

  private emitView(arn: string, view: TargetHealthView): void {
    for (const l of this.listeners) {
      try {
        l(arn, view);
      } catch (error) {
        console.error(`target health listener failed: ${String(error)}`);
      }
    }
  }

  /** Stops every drain timer (region shutdown). */
  close(): void {
    for (const [arn, group] of this.groups)
      for (const entry of [...group.targets.values()]) this.remove(arn, entry);
    this.groups.clear();
  }
}
