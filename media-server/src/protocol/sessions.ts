import { randomUUID } from "node:crypto";

/** Where a session's notifications go while its client is connected. */
export type Notify = (method: string, params: unknown) => void;

export class Session {
  readonly id = randomUUID();
  /** Objects this session created (pipelines, elements): released with the session. */
  readonly owned = new Set<string>();
  /** subscription id -> what it listens to */
  readonly subscriptions = new Map<string, { object: string; type: string }>();
  notify: Notify | undefined;
  expiry: NodeJS.Timeout | undefined;
}

/**
 * Sessions outlive their WebSocket: a client that reconnects with `connect` gets its objects back;
 * one that does not come back within the timeout has its objects released (Kurento: 4 minutes).
 */
export class Sessions {
  private readonly byId = new Map<string, Session>();

  constructor(
    private readonly timeoutMs: number,
    private readonly expire: (session: Session) => Promise<void>,
  ) {}

  create(notify: Notify): Session {
    const session = new Session();
    session.notify = notify;
    this.byId.set(session.id, session);
    return session;
  }

  get(id: string | undefined): Session | undefined {
    return id === undefined ? undefined : this.byId.get(id);
  }

  attach(session: Session, notify: Notify): void {
    clearTimeout(session.expiry);
    session.expiry = undefined;
    session.notify = notify;
  }

  /** The client's socket closed: start the countdown. */
  detach(session: Session, notify: Notify): void {
    if (session.notify !== notify) return;
    session.notify = undefined;
    // A failure while releasing must not take the server down; what could be freed was freed.
    session.expiry = setTimeout(() => void this.close(session).catch(() => {}), this.timeoutMs);
    session.expiry.unref();
  }

  async close(session: Session): Promise<void> {
    clearTimeout(session.expiry);
    if (!this.byId.delete(session.id)) return;
    await this.expire(session);
  }

  all(): Session[] {
    return [...this.byId.values()];
  }

  subscribers(object: string, type: string): Session[] {
    return this.all().filter((s) =>
      [...s.subscriptions.values()].some((sub) => sub.object === object && sub.type === type),
    );
  }
}
