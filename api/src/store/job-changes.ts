import { type Job, type JobAction, publicJob, type SegmentRef } from "../model/job.js";
import type { Dialect, Sql } from "./dialect.js";
import { json, toJob } from "./rows.js";

// Every state change of a job and its event are written in one transaction (`sql`), so the event
// log a client replays never disagrees with the job.

export async function logEvent(
  db: Dialect,
  sql: Sql,
  job: Job,
  action: JobAction,
  now: number,
  segment?: SegmentRef,
): Promise<void> {
  if (db.eventOrderLock) await sql.query(db.eventOrderLock);
  await sql.run("INSERT INTO events (jobid, userid, action, ts, job, worker) VALUES ($1,$2,$3,$4,$5,$6)", [
    job.id,
    job.userid,
    action,
    now,
    json(segment ? { ...publicJob(job), segment } : publicJob(job)),
    json(job.worker),
  ]);
}

/** Runs an UPDATE ... RETURNING * and logs `action` for the changed row; undefined when none changed. */
export async function changeJob(
  db: Dialect,
  sql: Sql,
  change: { action: JobAction | null; now: number; text: string; params: unknown[] },
): Promise<Job | undefined> {
  const [row] = await sql.query(`${change.text} RETURNING *`, change.params);
  if (!row) return undefined;
  const job = toJob(row);
  if (change.action) await logEvent(db, sql, job, change.action, change.now);
  return job;
}
