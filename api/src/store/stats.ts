import { JOB_STATES, type JobState } from "../model/job.js";
import type { Dialect } from "./dialect.js";
import { num } from "./rows.js";
import type { JobStats } from "./store.js";

// Read at request or scrape time from the shared tables, so every task reports the same queue;
// model/stats.ts turns the timings into means and percentiles.

export function sqlJobStats(db: Dialect): JobStats {
  return {
    async queues(now) {
      const rows = await db.query<{ kind: string; depth: unknown; oldest: unknown }>(
        "SELECT kind, COUNT(*) AS depth, MIN(created_at) AS oldest FROM jobs WHERE status = 'SUBMITTED' GROUP BY kind",
      );
      // Both queues are always listed, an empty one with depth 0.
      return (["transcode", "quality"] as const).map((name) => {
        const row = rows.find((r) => r.kind === name);
        const oldest = num(row?.oldest);
        return {
          name,
          depth: Number(row?.depth ?? 0),
          oldestAgeSeconds: oldest === null ? 0 : Math.max(0, (now - oldest) / 1000),
        };
      });
    },
    async countByState() {
      const rows = await db.query<{ status: JobState; n: unknown }>(
        "SELECT status, COUNT(*) AS n FROM jobs GROUP BY status",
      );
      const counts = Object.fromEntries(JOB_STATES.map((s) => [s, 0])) as Record<JobState, number>;
      for (const row of rows) counts[row.status] = Number(row.n);
      return counts;
    },
    async recentTimings(limit) {
      const rows = await db.query(
        "SELECT created_at, started_at, finished_at FROM jobs WHERE started_at IS NOT NULL ORDER BY updated_at DESC LIMIT $1",
        [limit],
      );
      return rows.map((r) => ({
        createdAt: Number(r.created_at),
        startedAt: num(r.started_at),
        finishedAt: num(r.finished_at),
      }));
    },
  };
}
