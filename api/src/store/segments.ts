import { randomUUID } from "node:crypto";
import type { Job, SegmentAction, WorkerRef } from "../model/job.js";
import type { PlannedSegment, Segment, SegmentState } from "../model/segments.js";
import type { Dialect, Row, Sql } from "./dialect.js";
import { logEvent } from "./job-changes.js";
import { JOB_LEASE_FENCE } from "./leases.js";
import { json, toJob } from "./rows.js";
import type { Lease } from "./store.js";

// The segment queue: a segmented job's pieces are leased, renewed and expire like jobs (leases.ts),
// so any free worker slot of any process takes one, and a piece whose worker died is redone alone.
// A piece is only claimable while its job is PROGRESSING: cancel or failure of the job stops all
// its pieces at their next heartbeat. Each change logs an event on the job.

export interface SegmentLease {
  segment: Segment;
  job: Job;
  token: string;
  worker: WorkerRef;
}

export interface SegmentQueue {
  /** Replaces the job's pieces with `plan`, QUEUED for any worker; fenced by the job's lease. */
  planSegments(lease: Lease, plan: PlannedSegment[], maxAttempts: number, now: number): Promise<boolean>;
  segments(jobId: string): Promise<Segment[]>;
  /** The next queued piece (or one whose lease expired), of `jobId` when given, by job priority. */
  claimSegment(
    worker: WorkerRef,
    now: number,
    leaseMs: number,
    jobId?: string,
  ): Promise<SegmentLease | undefined>;
  /** False when the piece is lost: its lease was taken, or its job is no longer running. */
  heartbeatSegment(lease: SegmentLease, now: number, leaseMs: number, percent: number): Promise<boolean>;
  completeSegment(lease: SegmentLease, now: number): Promise<boolean>;
  /** QUEUED again while attempts remain and the failure may pass, else FAILED (which fails the job). */
  failSegment(
    lease: SegmentLease,
    error: { message: string; retryable: boolean },
    now: number,
  ): Promise<SegmentState | undefined>;
  /** Hands the piece back (worker stopping), this attempt not counted. */
  releaseSegment(lease: SegmentLease, now: number): Promise<boolean>;
  dropSegments(jobId: string): Promise<void>;
  /** Jobs that ended while holding pieces (canceled or closed with their holder dead). */
  endedJobsWithSegments(limit: number): Promise<string[]>;
}

const JOB_RUNNING = "EXISTS (SELECT 1 FROM jobs j WHERE j.id = segments.job_id AND j.status = 'PROGRESSING')";

export function sqlSegments(db: Dialect): SegmentQueue {
  return {
    planSegments: (lease, plan, maxAttempts, now) =>
      db.transaction(async (sql) => {
        const [row] = await sql.query(`SELECT * FROM jobs ${JOB_LEASE_FENCE}`, [lease.job.id, lease.token]);
        if (!row) return false;
        const job = toJob(row);
        await sql.run("DELETE FROM segments WHERE job_id = $1", [job.id]);
        for (const [index, piece] of plan.entries()) {
          await sql.run(
            `INSERT INTO segments (job_id, idx, seg_count, start_seconds, duration_seconds, status, percent, attempts,
             max_attempts, priority, job_created_at, updated_at) VALUES ($1,$2,$3,$4,$5,'QUEUED',0,0,$6,$7,$8,$9)`,
            [
              job.id,
              index,
              plan.length,
              piece.startSeconds,
              piece.durationSeconds,
              maxAttempts,
              job.priority,
              job.createdAt,
              now,
            ],
          );
        }
        await logEvent(db, sql, job, "SegmentsPlanned", now, { count: plan.length });
        return true;
      }),

    async segments(jobId) {
      const rows = await db.query("SELECT * FROM segments WHERE job_id = $1 ORDER BY idx", [jobId]);
      return rows.map(toSegment);
    },

    claimSegment: (worker, now, leaseMs, jobId) =>
      db.transaction(async (sql) => {
        const [row] = await sql.query(
          `SELECT * FROM segments
           WHERE ((status = 'QUEUED') OR (status = 'RUNNING' AND lease_expires < $1)) AND ${JOB_RUNNING}
             ${jobId ? "AND job_id = $2" : ""}
           ORDER BY priority DESC, job_created_at ASC, job_id ASC, idx ASC LIMIT 1${db.skipLocked}`,
          jobId ? [now, jobId] : [now],
        );
        if (!row) return undefined;
        const candidate = toSegment(row);
        if (candidate.attempts >= candidate.maxAttempts) {
          await change(db, sql, candidate, "SegmentFailed", now, {
            text: `UPDATE segments SET status = 'FAILED', lease_token = NULL, lease_expires = NULL, updated_at = $3,
                   error_message = $4 WHERE job_id = $1 AND idx = $2`,
            params: [`its workers stopped ${candidate.attempts} times before it was encoded`],
          });
          return undefined;
        }
        const token = randomUUID();
        const segment = await change(db, sql, candidate, "SegmentStart", now, {
          text: `UPDATE segments SET status = 'RUNNING', percent = 0, attempts = attempts + 1, lease_token = $4,
                 lease_expires = $5, worker = $6, updated_at = $3 WHERE job_id = $1 AND idx = $2`,
          params: [token, now + leaseMs, json(worker)],
          worker,
        });
        const job = await jobOf(sql, candidate.jobId);
        return segment && job ? { segment, job, token, worker } : undefined;
      }),

    async heartbeatSegment(lease, now, leaseMs, percent) {
      const changed = await db.run(
        `UPDATE segments SET updated_at = $3, lease_expires = $4, percent = $5 ${fenceAfter(5)}`,
        [lease.segment.jobId, lease.segment.index, now, now + leaseMs, Math.floor(percent), lease.token],
      );
      return changed === 1;
    },

    completeSegment: (lease, now) =>
      db.transaction(async (sql) =>
        Boolean(
          await change(db, sql, lease.segment, "SegmentFinished", now, {
            text: `UPDATE segments SET status = 'DONE', percent = 100, lease_token = NULL, lease_expires = NULL,
                   updated_at = $3 ${fenceAfter(3)}`,
            params: [lease.token],
            worker: lease.worker,
          }),
        ),
      ),

    failSegment: (lease, error, now) =>
      db.transaction(async (sql) => {
        const retry = error.retryable && lease.segment.attempts < lease.segment.maxAttempts;
        const segment = await change(
          db,
          sql,
          lease.segment,
          retry ? "SegmentRequeued" : "SegmentFailed",
          now,
          {
            text: `UPDATE segments SET status = $5, error_message = $4, lease_token = NULL, lease_expires = NULL,
                 updated_at = $3 ${fenceAfter(5)}`,
            params: [error.message, retry ? "QUEUED" : "FAILED", lease.token],
            worker: lease.worker,
          },
        );
        return segment?.status;
      }),

    releaseSegment: (lease, now) =>
      db.transaction(async (sql) =>
        Boolean(
          await change(db, sql, lease.segment, "SegmentRequeued", now, {
            text: `UPDATE segments SET status = 'QUEUED', percent = 0, attempts = attempts - 1, lease_token = NULL,
                   lease_expires = NULL, worker = NULL, updated_at = $3 ${fenceAfter(3)}`,
            params: [lease.token],
            worker: lease.worker,
          }),
        ),
      ),

    async dropSegments(jobId) {
      await db.run("DELETE FROM segments WHERE job_id = $1", [jobId]);
    },

    async endedJobsWithSegments(limit) {
      const rows = await db.query<{ job_id: string }>(
        `SELECT DISTINCT job_id FROM segments WHERE EXISTS (SELECT 1 FROM jobs j WHERE j.id = segments.job_id
         AND j.status IN ('COMPLETE', 'ERROR', 'CANCELED')) LIMIT $1`,
        [limit],
      );
      return rows.map((r) => String(r.job_id));
    },
  };
}

/** The lease fence with the token as parameter `$<n+1>` (after the change's own parameters). */
const fenceAfter = (n: number) =>
  `WHERE job_id = $1 AND idx = $2 AND lease_token = $${n + 1} AND status = 'RUNNING' AND ${JOB_RUNNING}`;

async function jobOf(sql: Sql, id: string): Promise<Job | undefined> {
  const [row] = await sql.query("SELECT * FROM jobs WHERE id = $1", [id]);
  return row ? toJob(row) : undefined;
}

/**
 * Runs an UPDATE of one piece (parameters: $1 job, $2 index, $3 now, then `params`) and logs
 * `action` on its job; undefined when no row changed (the fence refused it).
 */
async function change(
  db: Dialect,
  sql: Sql,
  segment: Segment,
  action: SegmentAction,
  now: number,
  update: { text: string; params: unknown[]; worker?: WorkerRef },
): Promise<Segment | undefined> {
  const [row] = await sql.query(`${update.text} RETURNING *`, [
    segment.jobId,
    segment.index,
    now,
    ...update.params,
  ]);
  if (!row) return undefined;
  const changed = toSegment(row);
  const job = await jobOf(sql, segment.jobId);
  if (job) {
    const ref = { index: changed.index, count: changed.count, attempt: changed.attempts };
    await logEvent(db, sql, { ...job, worker: update.worker ?? job.worker }, action, now, ref);
  }
  return changed;
}

function toSegment(row: Row): Segment {
  return {
    jobId: String(row.job_id),
    index: Number(row.idx),
    count: Number(row.seg_count),
    startSeconds: Number(row.start_seconds),
    durationSeconds: Number(row.duration_seconds),
    status: row.status as SegmentState,
    percent: Number(row.percent),
    attempts: Number(row.attempts),
    maxAttempts: Number(row.max_attempts),
    errorMessage: (row.error_message as string) ?? null,
  };
}
