// One poller per concern, shared by every open page: it asks the region at its own pace only while
// someone listens, and hands each listener the latest snapshot, sending again only when it changed.
// A failed poll is a snapshot too (`ok: false`), so a region that went away shows in the page, and
// the next good poll replaces it: a restarted region never leaves the page stale.

export type Snapshot<T> = { ok: true; at: number; data: T } | { ok: false; at: number; error: string };
export type Listener = (json: string) => void;

export class Poller<T> {
  private readonly listeners = new Set<Listener>();
  private last: { key: string; json: string } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(
    private readonly poll: () => Promise<T>,
    private readonly intervalMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Starts polling with the first listener; returns the unsubscribe, which stops it with the last. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    if (this.last) listener(this.last.json);
    if (!this.running) {
      this.running = true;
      void this.tick();
    }
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stop();
    };
  }

  get listening(): number {
    return this.listeners.size;
  }

  stop(): void {
    this.running = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.last = undefined;
  }

  private async tick(): Promise<void> {
    const snapshot = await this.poll().then(
      (data): Snapshot<T> => ({ ok: true, at: this.now(), data }),
      (error: unknown): Snapshot<T> => ({ ok: false, at: this.now(), error: messageOf(error) }),
    );
    if (!this.running) return;
    // The time of a poll is not a change.
    const key = JSON.stringify(snapshot.ok ? snapshot.data : snapshot.error);
    if (key !== this.last?.key) {
      this.last = { key, json: JSON.stringify(snapshot) };
      for (const listener of this.listeners) listener(this.last.json);
    }
    this.timer = setTimeout(() => void this.tick(), this.intervalMs);
  }
}

/** What a person should read: an AWS error's name and message, or a network error's reason. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: string }).code;
    const name = error.name && error.name !== "Error" ? `${error.name}: ` : "";
    return `${name}${error.message || code || "request failed"}`;
  }
  return String(error);
}
