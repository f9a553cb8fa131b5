// Every log line the region is handed is accounted for: stored, or dropped with a reason. The
// counters are what the region exposes (`/_logs/ingestion`) and logs when lines are dropped.

export type DropReason =
  /** PutLogEvents events outside the accepted window (rejectedLogEventsInfo). */
  | "rejected-by-put-rules"
  /** Container output for a group that no longer exists. */
  | "group-missing";

export interface IngestionSnapshot {
  received: number;
  stored: number;
  dropped: Partial<Record<DropReason, number>>;
}

export class IngestionCounters {
  private received = 0;
  private stored = 0;
  private readonly dropped = new Map<DropReason, number>();

  count(stored: number, dropped = 0, reason?: DropReason): void {
    this.received += stored + dropped;
    this.stored += stored;
    if (dropped > 0 && reason) this.dropped.set(reason, (this.dropped.get(reason) ?? 0) + dropped);
  }

  /** Lines taken in but not yet stored (buffered): received, not stored, not dropped. */
  accept(lines: number): void {
    this.received += lines;
  }

  settle(stored: number, dropped = 0, reason?: DropReason): void {
    this.stored += stored;
    if (dropped > 0 && reason) this.dropped.set(reason, (this.dropped.get(reason) ?? 0) + dropped);
  }

  snapshot(): IngestionSnapshot {
    return { received: this.received, stored: this.stored, dropped: Object.fromEntries(this.dropped) };
  }

  droppedTotal(): number {
    let n = 0;
    for (const v of this.dropped.values()) n += v;
    return n;
  }
}
