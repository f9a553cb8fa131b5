import type { LogEvent } from "../aws/logs.js";

// `ecs logs` as pure rules: which streams a service's containers write, how a line reads, and
// which events a poll has not shown yet.

/** Streams to read: every container's (`prefix/`), or one task's (`prefix/container/taskId`). */
export function streamSelection(prefix: string, containers: string[], taskId: string | undefined) {
  if (!taskId) return { logStreamNamePrefix: `${prefix}/` };
  return { logStreamNames: containers.map((c) => `${prefix}/${c}/${taskId}`) };
}

/** `2026-01-01T10:00:00.000Z api/3f2a… message`: time, container and short task id, the line. */
export function formatLogLine(event: LogEvent, prefix: string): string {
  const [container = "", taskId = ""] = event.logStreamName.slice(prefix.length + 1).split("/");
  return `${new Date(event.timestamp).toISOString()} ${container}/${taskId.slice(0, 8)} ${event.message}`;
}

/**
 * Follows a group by polling: each poll starts a little before the newest event seen (events
 * arrive late), so the same event comes back; its eventId tells it was shown.
 */
export class FollowCursor {
  private readonly shown = new Map<string, number>();

  constructor(
    private startTime: number,
    private readonly overlapMs = 10_000,
  ) {}

  get from(): number {
    return this.startTime;
  }

  /** The events not shown yet, oldest first; moves the cursor and forgets ids it won't see again. */
  fresh(events: LogEvent[]): LogEvent[] {
    const unseen = events.filter((e) => !this.shown.has(e.eventId));
    for (const e of unseen) this.shown.set(e.eventId, e.timestamp);
    const newest = Math.max(this.startTime, ...events.map((e) => e.timestamp));
    this.startTime = Math.max(this.startTime, newest - this.overlapMs);
    for (const [id, at] of this.shown) if (at < this.startTime) this.shown.delete(id);
    return unseen.sort((a, b) => a.timestamp - b.timestamp);
  }
}
