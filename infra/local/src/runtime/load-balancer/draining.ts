import type { Socket } from "node:net";
import type { TargetGroupRecord } from "../../services/elbv2/state.js";
import type { TargetEntry } from "./target-registry.js";

// How the load balancer lets go of a deregistered target, as ELBv2 does: from that moment it gets no
// new requests, the requests it is serving finish and its upgraded (WebSocket) connections stay
// open; it is gone once they are all done or when the target group's deregistration delay runs out,
// whichever comes first, and connections still open then are closed.

export interface Drain {
  timer: NodeJS.Timeout;
  /** Whoever waits for the target to be gone (TargetGroups.deregister, so ECS stops the task after). */
  waiters: (() => void)[];
}

export function deregistrationDelaySeconds(tg: TargetGroupRecord): number {
  return Number(tg.attributes["deregistration_delay.timeout_seconds"] ?? "300");
}

/** A draining target gets no new request; every other registered target may. */
export function takesNewRequests(entry: TargetEntry): boolean {
  return entry.state !== "draining";
}

export class Draining {
  /** `finish` takes a target out of its group once its drain is over. */
  constructor(private readonly finish: (arn: string, entry: TargetEntry) => void) {}

  /** The target was deregistered: it drains from now on, for the group's deregistration delay at most. */
  begin(tg: TargetGroupRecord, entry: TargetEntry): void {
    entry.state = "draining";
    entry.reason = "Target.DeregistrationInProgress";
    entry.description = "Target deregistration is in progress";
    const timer = setTimeout(() => this.finish(tg.arn, entry), deregistrationDelaySeconds(tg) * 1000);
    timer.unref();
    entry.drain = { timer, waiters: [] };
  }

  /** A draining target that serves nothing any more is done at once, not at the deadline. */
  finishIfIdle(arn: string, entry: TargetEntry): void {
    if (entry.state === "draining" && entry.inFlight === 0 && entry.connections.size === 0)
      this.finish(arn, entry);
  }

  /** Counts a request in flight; the returned function ends it (once). */
  acquire(arn: string, entry: TargetEntry): () => void {
    entry.inFlight++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      entry.inFlight--;
      this.finishIfIdle(arn, entry);
    };
  }

  /** Tracks an upgraded (WebSocket) connection until it closes or the drain deadline passes. */
  trackConnection(arn: string, entry: TargetEntry, socket: Socket): void {
    entry.connections.add(socket);
    socket.once("close", () => {
      entry.connections.delete(socket);
      this.finishIfIdle(arn, entry);
    });
  }

  /** Resolves once the target's drain is over; at once when it is not draining. */
  over(entry: TargetEntry | undefined): Promise<void> {
    const drain = entry?.state === "draining" ? entry.drain : undefined;
    if (!drain) return Promise.resolve();
    return new Promise((resolve) => drain.waiters.push(resolve));
  }

  /** The target has left its group: no deadline any more, open connections closed, waiters told. */
  end(entry: TargetEntry): void {
    if (entry.drain) clearTimeout(entry.drain.timer);
    for (const socket of entry.connections) socket.destroy();
    for (const resolve of entry.drain?.waiters ?? []) resolve();
  }
}
