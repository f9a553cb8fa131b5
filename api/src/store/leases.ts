import { randomUUID } from "node:crypto";
import {
  afterFailure,
  attemptsExhausted,
  type Job,
  type JobState,
  retryDelayMs,
  statesThatCanBecome,
  type WorkerRef,
} from "../model/job.js";
import { MAX_WAIT_MS, type Scheduling } from "../model/scheduling.js";
import type { Dialect, Sql } from "./dialect.js";
import { changeJob } from "./job-changes.js";
import { json, toJob } from "./rows.js";
import type { JobLeases, Lease } from "./store.js";

// A worker holds a job by a lease: a token and an expiry it renews with heartbeats. Every write a
// worker makes is fenced by its token, so a worker that lost its lease (expired, canceled, taken
// over) changes nothing; a lease that expires puts the job back in reach of the next claim.

const CANCELABLE = statesThatCanBecome("CANCELED")
  .map((s) => `'${s}'`)
  .join(", ");
/** A job's lease still held: $1 the job, $2 its token (segments.ts fences on it too). */
export const JOB_LEASE_FENCE = "WHERE id = $1 AND lease_token = $2 AND status = 'PROGRESSING'";
/** Candidates whose attempts are used up are closed on the way; past this many, claim gives up. */
const CLAIM_ROUNDS = 10;

export function sqlLeases(db: Dialect, scheduling: Scheduling = "fifo"): JobLeases {
  return {
    claim: (worker, now, leaseMs) =>
      db.transaction(async (sql) => {
        for (let round = 0; round < CLAIM_ROUNDS; round++) {
          const candidate = await nextClaimable(db, sql, now, scheduling);
          if (!candidate) return undefined;
          if (attemptsExhausted(candidate)) {
            await closeExhausted(db, sql, candidate, now);
            continue;
          }
          return startAttempt(db, sql, candidate, worker, now, leaseMs);
        }
        return undefined;
      }),

    async heartbeat(lease, now, leaseMs, progress) {
      if (!progress) {
        const changed = await db.run(
          `UPDATE jobs SET lease_expires = $3, updated_at = $4 ${JOB_LEASE_FENCE}`,
          [lease.job.id, lease.token, now + leaseMs, now],
        );
        return changed === 1;
      }
      const job = await db.transaction((sql) =>
        changeJob(db, sql, {
          action: progress.logEvent ? "JobProgress" : null,
          now,
          text: `UPDATE jobs SET lease_expires = $3, updated_at = $4, phase = $5, percent = $6 ${JOB_LEASE_FENCE}`,
          params: [lease.job.id, lease.token, now + leaseMs, now, progress.phase, progress.percentComplete],
        }),
      );
      return job !== undefined;
    },

    async complete(lease, result, now) {
      const job = await db.transaction((sql) =>
        changeJob(db, sql, {
          action: "JobFinished",
          now,
          text: `UPDATE jobs SET status = 'COMPLETE', phase = NULL, percent = 100, result = $3,
                 lease_token = NULL, lease_expires = NULL, finished_at = $4, updated_at = $4 ${JOB_LEASE_FENCE}`,
          params: [lease.job.id, lease.token, json(result), now],
        }),
      );
      return job !== undefined;
    },

    fail: (lease, error, now) => db.transaction((sql) => failAttempt(db, sql, lease, error, now)),

    async release(lease, now) {
      const job = await db.transaction((sql) =>
        changeJob(db, sql, {
          action: "JobRequeued",
          now,
          text: `UPDATE jobs SET status = 'SUBMITTED', phase = NULL, percent = 0, attempts = attempts - 1,
                 lease_token = NULL, lease_expires = NULL, worker = NULL, updated_at = $3 ${JOB_LEASE_FENCE}`,
          params: [lease.job.id, lease.token, now],
        }),
      );
      return job !== undefined;
    },

    cancel: (id, now) =>
      db.transaction((sql) =>
        changeJob(db, sql, {
          action: "JobCanceled",
          now,
          text: `UPDATE jobs SET status = 'CANCELED', phase = NULL, lease_token = NULL, lease_expires = NULL,
                 finished_at = $2, updated_at = $2 WHERE id = $1 AND status IN (${CANCELABLE})`,
          params: [id, now],
        }),
      ),
  };
}

/**
 * A queued job past its retry delay, or a running one whose lease expired; in model/scheduling.ts's
 * claimOrder: priority, then (sjf) long waiters first and the shortest expected, then age.
 */
async function nextClaimable(
  db: Dialect,
  sql: Sql,
  now: number,
  scheduling: Scheduling,
): Promise<Job | undefined> {
  const sjf =
    scheduling === "sjf"
      ? "CASE WHEN created_at <= $2 THEN 0 ELSE 1 END ASC, COALESCE(expected_ms, 0) ASC, "
      : "";
  const [row] = await sql.query(
    `SELECT * FROM jobs
     WHERE (status = 'SUBMITTED' AND (not_before IS NULL OR not_before <= $1))
        OR (status = 'PROGRESSING' AND lease_expires < $1)
     ORDER BY priority DESC, ${sjf}created_at ASC, id ASC LIMIT 1${db.skipLocked}`,
    scheduling === "sjf" ? [now, now - MAX_WAIT_MS] : [now],
  );
  return row ? toJob(row) : undefined;
}

async function closeExhausted(db: Dialect, sql: Sql, job: Job, now: number): Promise<void> {
  await changeJob(db, sql, {
    action: "JobFailed",
    now,
    text: `UPDATE jobs SET status = 'ERROR', error_code = 'ATTEMPTS_EXHAUSTED', error_message = $2,
           lease_token = NULL, lease_expires = NULL, finished_at = $3, updated_at = $3 WHERE id = $1`,
    params: [
      job.id,
      `the job was attempted ${job.attempts} times without finishing (its workers stopped or failed)`,
      now,
    ],
  });
}

async function startAttempt(
  db: Dialect,
  sql: Sql,
  candidate: Job,
  worker: WorkerRef,
  now: number,
  leaseMs: number,
): Promise<Lease | undefined> {
  const token = randomUUID();
  const job = await changeJob(db, sql, {
    action: "JobStart",
    now,
    text: `UPDATE jobs SET status = 'PROGRESSING', phase = 'PROBING', percent = 0, attempts = attempts + 1,
           lease_token = $2, lease_expires = $3, worker = $4, started_at = COALESCE(started_at, $5), updated_at = $5
           WHERE id = $1`,
    params: [candidate.id, token, now + leaseMs, json(worker), now],
  });
  return job ? { job, token, worker } : undefined;
}

/** ERROR when the failure is final or the attempts are used up, else queued again after a delay. */
async function failAttempt(
  db: Dialect,
  sql: Sql,
  lease: Lease,
  error: { code: string; message: string; retryable: boolean },
  now: number,
): Promise<JobState | undefined> {
  const [row] = await sql.query(`SELECT * FROM jobs ${JOB_LEASE_FENCE}`, [lease.job.id, lease.token]);
  if (!row) return undefined;
  const current = toJob(row);
  const next = afterFailure(current, error.retryable);
  const final = next === "ERROR";
  const job = await changeJob(db, sql, {
    action: final ? "JobFailed" : "JobRequeued",
    now,
    text: `UPDATE jobs SET status = $3, phase = NULL, error_code = $4, error_message = $5,
           lease_token = NULL, lease_expires = NULL, finished_at = $6, updated_at = $7, not_before = $8
           WHERE id = $1 AND lease_token = $2`,
    params: [
      lease.job.id,
      lease.token,
      next,
      error.code,
      error.message,
      final ? now : null,
      now,
      final ? null : now + retryDelayMs(current.attempts),
    ],
  });
  return job?.status;
}
