import type { Job } from "../model/job.js";
import { costKey, EXPECTED_FROM_LAST } from "../model/scheduling.js";
import type { Dialect, Sql } from "./dialect.js";
import { logEvent } from "./job-changes.js";
import { json, num, parse, toJob } from "./rows.js";
import {
  IdempotencyMismatch,
  type JobSubmissions,
  type NewJob,
  type SubmitOutcome,
  type SubmitRequest,
} from "./store.js";

// A request with a clientRequestToken is recorded in the same transaction as its jobs: a retry
// finds the record and gets the first request's jobs back instead of new ones.

export function sqlSubmissions(db: Dialect): JobSubmissions {
  return {
    submit: (request, now) =>
      db.transaction(async (sql) => {
        if (request.clientRequestToken && !(await recordRequest(sql, request, now)))
          return earlierRequest(sql, request);
        const jobs: Job[] = [];
        for (const job of request.jobs) jobs.push(await insertJob(db, sql, job, request, now));
        return { jobs, created: true };
      }),
  };
}

/** False when the user already sent this token. */
async function recordRequest(sql: Sql, request: SubmitRequest, now: number): Promise<boolean> {
  const inserted = await sql.run(
    "INSERT INTO requests (userid, token, fingerprint, job_ids, created_at) VALUES ($1,$2,$3,$4,$5) ON CONFLICT DO NOTHING",
    [
      request.userid,
      request.clientRequestToken,
      request.fingerprint,
      json(request.jobs.map((j) => j.id)),
      now,
    ],
  );
  return inserted === 1;
}

async function insertJob(
  db: Dialect,
  sql: Sql,
  job: NewJob,
  request: SubmitRequest,
  now: number,
): Promise<Job> {
  const key = costKey(job.spec);
  const [row] = await sql.query(
    `INSERT INTO jobs (id, userid, kind, spec, priority, status, max_attempts, client_token, batch_id, created_at, updated_at,
       cost_key, expected_ms)
     VALUES ($1,$2,$3,$4,$5,'SUBMITTED',$6,$7,$8,$9,$9,$10,$11) RETURNING *`,
    [
      job.id,
      job.userid,
      job.kind,
      json(job.spec),
      job.priority,
      job.maxAttempts,
      request.clientRequestToken,
      job.batchId,
      now,
      key,
      await expectedMs(sql, key),
    ],
  );
  const created = toJob(row!);
  await logEvent(db, sql, created, "JobSummit", now);
  return created;
}

/** The mean run time of the last jobs of the same kind that completed; null when none has. */
async function expectedMs(sql: Sql, key: string): Promise<number | null> {
  const [row] = await sql.query<{ ms: unknown }>(
    `SELECT AVG(finished_at - started_at) AS ms FROM (
       SELECT finished_at, started_at FROM jobs WHERE cost_key = $1 AND status = 'COMPLETE'
       ORDER BY finished_at DESC LIMIT ${EXPECTED_FROM_LAST}) recent`,
    [key],
  );
  const ms = num(row?.ms);
  return ms === null ? null : Math.round(ms);
}

async function earlierRequest(sql: Sql, request: SubmitRequest): Promise<SubmitOutcome> {
  const [earlier] = await sql.query<{ fingerprint: string; job_ids: string }>(
    "SELECT fingerprint, job_ids FROM requests WHERE userid = $1 AND token = $2",
    [request.userid, request.clientRequestToken],
  );
  if (!earlier || earlier.fingerprint !== request.fingerprint)
    throw new IdempotencyMismatch(
      "clientRequestToken was already used for a different request; use a new token",
    );
  const ids = parse<string[]>(earlier.job_ids) ?? [];
  const jobs: Job[] = [];
  for (const id of ids) {
    const [row] = await sql.query("SELECT * FROM jobs WHERE id = $1", [id]);
    if (row) jobs.push(toJob(row));
  }
  return { jobs, created: false };
}
