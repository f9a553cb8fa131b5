import { randomUUID } from "node:crypto";
import {
  afterFailure,
  attemptsExhausted,
  JOB_STATES,
  type Job,
  type JobAction,
  type JobEvent,
  type JobResult,
  type JobState,
  publicJob,
  retryDelayMs,
  statesThatCanBecome,
  type WorkerRef,
} from "../model/job.js";
import type { FrameQuality } from "../model/progress.js";
import type { Dialect, Row, Sql } from "./dialect.js";
import {
  type ApiKeyRecord,
  IdempotencyMismatch,
  type JobPage,
  type JobStore,
  type JobTiming,
  type Lease,
  type ListQuery,
  type ProgressUpdate,
  type QueueInfo,
  type SubmitOutcome,
  type SubmitRequest,
  type WorkerInfo,
} from "./store.js";

// One store over either dialect. Every state change and its event are written in one transaction;
// every write a worker makes is fenced by its lease token, so a worker that lost its lease (expired,
// canceled, taken over) changes nothing.

function schema(d: Dialect): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS jobs (
      id TEXT PRIMARY KEY, userid TEXT NOT NULL, kind TEXT NOT NULL, spec TEXT NOT NULL,
      priority INTEGER NOT NULL, status TEXT NOT NULL, phase TEXT, percent INTEGER NOT NULL DEFAULT 0,
      attempts INTEGER NOT NULL DEFAULT 0, max_attempts INTEGER NOT NULL,
      error_code TEXT, error_message TEXT, result TEXT, client_token TEXT, batch_id TEXT,
      lease_token TEXT, lease_expires BIGINT, worker TEXT, not_before BIGINT,
      created_at BIGINT NOT NULL, started_at BIGINT, finished_at BIGINT, updated_at BIGINT NOT NULL)`,
    "CREATE INDEX IF NOT EXISTS jobs_queue ON jobs (status, priority, created_at)",
    "CREATE INDEX IF NOT EXISTS jobs_user ON jobs (userid, created_at)",
    "CREATE INDEX IF NOT EXISTS jobs_created ON jobs (created_at, id)",
    `CREATE TABLE IF NOT EXISTS requests (
      userid TEXT NOT NULL, token TEXT NOT NULL, fingerprint TEXT NOT NULL, job_ids TEXT NOT NULL,
      created_at BIGINT NOT NULL, PRIMARY KEY (userid, token))`,
    `CREATE TABLE IF NOT EXISTS events (
      seq ${d.autoIncrement}, jobid TEXT NOT NULL, userid TEXT NOT NULL, action TEXT NOT NULL,
      ts BIGINT NOT NULL, job TEXT NOT NULL, worker TEXT)`,
    "CREATE INDEX IF NOT EXISTS events_job ON events (jobid, seq)",
    `CREATE TABLE IF NOT EXISTS api_keys (
      id TEXT PRIMARY KEY, userid TEXT NOT NULL, hash TEXT NOT NULL UNIQUE, admin INTEGER NOT NULL,
      created_at BIGINT NOT NULL, revoked_at BIGINT)`,
    `CREATE TABLE IF NOT EXISTS workers (
      id TEXT PRIMARY KEY, task_id TEXT NOT NULL, host TEXT NOT NULL, state TEXT NOT NULL,
      current_jobs TEXT NOT NULL, cpus INTEGER NOT NULL, memory BIGINT NOT NULL, slots INTEGER NOT NULL,
      started_at BIGINT NOT NULL, heartbeat_at BIGINT NOT NULL)`,
    "CREATE TABLE IF NOT EXISTS quality_frames (jobid TEXT PRIMARY KEY, frames TEXT NOT NULL)",
  ];
}

const CANCELABLE = statesThatCanBecome("CANCELED")
  .map((s) => `'${s}'`)
  .join(", ");
const json = (value: unknown) => (value === null || value === undefined ? null : JSON.stringify(value));
const parse = <T>(text: unknown): T | null => (typeof text === "string" ? (JSON.parse(text) as T) : null);
const num = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));

function toJob(row: Row): Job {
  return {
    id: String(row.id),
    userid: String(row.userid),
    kind: row.kind as Job["kind"],
    spec: parse<Job["spec"]>(row.spec)!,
    priority: Number(row.priority),
    status: row.status as JobState,
    phase: (row.phase as Job["phase"]) ?? null,
    percentComplete: Number(row.percent),
    attempts: Number(row.attempts),
    maxAttempts: Number(row.max_attempts),
    errorCode: (row.error_code as string) ?? null,
    errorMessage: (row.error_message as string) ?? null,
    result: parse<JobResult>(row.result),
    clientRequestToken: (row.client_token as string) ?? null,
    batchId: (row.batch_id as string) ?? null,
    worker: parse<WorkerRef>(row.worker),
    createdAt: Number(row.created_at),
    startedAt: num(row.started_at),
    finishedAt: num(row.finished_at),
    updatedAt: Number(row.updated_at),
  };
}

function toEvent(row: Row): JobEvent {
  return {
    seq: Number(row.seq),
    ts: Number(row.ts),
    userID: String(row.userid),
    jobID: String(row.jobid),
    action: row.action as JobAction,
    job: parse<JobEvent["job"]>(row.job)!,
    worker: parse<WorkerRef>(row.worker),
  };
}

function encodeCursor(job: Job): string {
  return Buffer.from(JSON.stringify([job.createdAt, job.id])).toString("base64url");
}

export class CursorError extends Error {}

function decodeCursor(cursor: string): [number, string] {
  try {
    const value = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as unknown;
    if (Array.isArray(value) && typeof value[0] === "number" && typeof value[1] === "string")
      return [value[0], value[1]];
  } catch {
    // fall through
  }
  throw new CursorError("cursor is not one this service returned");
}

export class SqlStore implements JobStore {
  constructor(private readonly db: Dialect) {}

  get kind() {
    return this.db.name;
  }

  async migrate(): Promise<void> {
    // Several processes may boot at once; PostgreSQL's CREATE ... IF NOT EXISTS can still race.
    await this.db.transaction(async (sql) => {
      if (this.db.name === "postgres") await sql.query("SELECT pg_advisory_xact_lock(715000)");
      for (const statement of schema(this.db)) await sql.run(statement);
    });
  }

  close(): Promise<void> {
    return this.db.close();
  }

  private async logEvent(sql: Sql, job: Job, action: JobAction, now: number): Promise<void> {
    if (this.db.eventOrderLock) await sql.query(this.db.eventOrderLock);
    await sql.run("INSERT INTO events (jobid, userid, action, ts, job, worker) VALUES ($1,$2,$3,$4,$5,$6)", [
      job.id,
      job.userid,
      action,
      now,
      json(publicJob(job)),
      json(job.worker),
    ]);
  }

  /** Runs an UPDATE ... RETURNING * and logs `action` for the changed row. */
  private async change(
    sql: Sql,
    action: JobAction | null,
    now: number,
    text: string,
    params: unknown[],
  ): Promise<Job | undefined> {
    const [row] = await sql.query(`${text} RETURNING *`, params);
    if (!row) return undefined;
    const job = toJob(row);
    if (action) await this.logEvent(sql, job, action, now);
    return job;
  }

  async submit(request: SubmitRequest, now: number): Promise<SubmitOutcome> {
    return this.db.transaction(async (sql) => {
      if (request.clientRequestToken) {
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
        if (inserted === 0) return this.earlierRequest(sql, request);
      }
      const jobs: Job[] = [];
      for (const job of request.jobs) {
        const [row] = await sql.query(
          `INSERT INTO jobs (id, userid, kind, spec, priority, status, max_attempts, client_token, batch_id, created_at, updated_at)
           VALUES ($1,$2,$3,$4,$5,'SUBMITTED',$6,$7,$8,$9,$9) RETURNING *`,
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
          ],
        );
        const created = toJob(row!);
        await this.logEvent(sql, created, "JobSummit", now);
        jobs.push(created);
      }
      return { jobs, created: true };
    });
  }

  private async earlierRequest(sql: Sql, request: SubmitRequest): Promise<SubmitOutcome> {
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

  async get(id: string): Promise<Job | undefined> {
    const [row] = await this.db.query("SELECT * FROM jobs WHERE id = $1", [id]);
    return row ? toJob(row) : undefined;
  }

  async list(query: ListQuery): Promise<JobPage> {
    const where: string[] = [];
    const params: unknown[] = [];
    const bind = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    if (query.status) where.push(`status = ${bind(query.status)}`);
    if (query.userid) where.push(`userid = ${bind(query.userid)}`);
    if (query.cursor) {
      const [createdAt, id] = decodeCursor(query.cursor);
      const at = bind(createdAt);
      where.push(`(created_at < ${at} OR (created_at = ${at} AND id < ${bind(id)}))`);
    }
    params.push(query.limit + 1);
    const rows = await this.db.query(
      `SELECT * FROM jobs ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
       ORDER BY created_at DESC, id DESC LIMIT $${params.length}`,
      params,
    );
    const jobs = rows.slice(0, query.limit).map(toJob);
    const last = jobs[jobs.length - 1];
    return { jobs, nextCursor: rows.length > query.limit && last ? encodeCursor(last) : null };
  }

  async events(jobId: string): Promise<JobEvent[]> {
    const rows = await this.db.query("SELECT * FROM events WHERE jobid = $1 ORDER BY seq", [jobId]);
    return rows.map(toEvent);
  }

  async eventsSince(seq: number, limit: number): Promise<JobEvent[]> {
    const rows = await this.db.query("SELECT * FROM events WHERE seq > $1 ORDER BY seq LIMIT $2", [
      seq,
      limit,
    ]);
    return rows.map(toEvent);
  }

  async lastSeq(): Promise<number> {
    const [row] = await this.db.query<{ seq: unknown }>("SELECT MAX(seq) AS seq FROM events");
    return Number(row?.seq ?? 0);
  }

  async claim(worker: WorkerRef, now: number, leaseMs: number): Promise<Lease | undefined> {
    return this.db.transaction(async (sql) => {
      // A few rounds: a candidate whose attempts are used up is closed as ERROR and the next one taken.
      for (let round = 0; round < 10; round++) {
        const [row] = await sql.query(
          `SELECT * FROM jobs
           WHERE (status = 'SUBMITTED' AND (not_before IS NULL OR not_before <= $1))
              OR (status = 'PROGRESSING' AND lease_expires < $1)
           ORDER BY priority DESC, created_at ASC, id ASC LIMIT 1${this.db.skipLocked}`,
          [now],
        );
        if (!row) return undefined;
        const candidate = toJob(row);
        if (attemptsExhausted(candidate)) {
          await this.change(
            sql,
            "JobFailed",
            now,
            `UPDATE jobs SET status = 'ERROR', error_code = 'ATTEMPTS_EXHAUSTED', error_message = $2,
             lease_token = NULL, lease_expires = NULL, finished_at = $3, updated_at = $3 WHERE id = $1`,
            [
              candidate.id,
              `the job was attempted ${candidate.attempts} times without finishing (its workers stopped or failed)`,
              now,
            ],
          );
          continue;
        }
        const token = randomUUID();
        const job = await this.change(
          sql,
          "JobStart",
          now,
          `UPDATE jobs SET status = 'PROGRESSING', phase = 'PROBING', percent = 0, attempts = attempts + 1,
           lease_token = $2, lease_expires = $3, worker = $4, started_at = COALESCE(started_at, $5), updated_at = $5
           WHERE id = $1`,
          [candidate.id, token, now + leaseMs, json(worker), now],
        );
        return job ? { job, token, worker } : undefined;
      }
      return undefined;
    });
  }

  async heartbeat(lease: Lease, now: number, leaseMs: number, progress?: ProgressUpdate): Promise<boolean> {
    const fence = "WHERE id = $1 AND lease_token = $2 AND status = 'PROGRESSING'";
    if (!progress) {
      const changed = await this.db.run(`UPDATE jobs SET lease_expires = $3, updated_at = $4 ${fence}`, [
        lease.job.id,
        lease.token,
        now + leaseMs,
        now,
      ]);
      return changed === 1;
    }
    return this.db.transaction(async (sql) => {
      const job = await this.change(
        sql,
        progress.logEvent ? "JobProgress" : null,
        now,
        `UPDATE jobs SET lease_expires = $3, updated_at = $4, phase = $5, percent = $6 ${fence}`,
        [lease.job.id, lease.token, now + leaseMs, now, progress.phase, progress.percentComplete],
      );
      return job !== undefined;
    });
  }

  async complete(lease: Lease, result: JobResult, now: number): Promise<boolean> {
    return this.db.transaction(async (sql) => {
      const job = await this.change(
        sql,
        "JobFinished",
        now,
        `UPDATE jobs SET status = 'COMPLETE', phase = NULL, percent = 100, result = $3,
         lease_token = NULL, lease_expires = NULL, finished_at = $4, updated_at = $4
         WHERE id = $1 AND lease_token = $2 AND status = 'PROGRESSING'`,
        [lease.job.id, lease.token, json(result), now],
      );
      return job !== undefined;
    });
  }

  async fail(
    lease: Lease,
    error: { code: string; message: string; retryable: boolean },
    now: number,
  ): Promise<JobState | undefined> {
    return this.db.transaction(async (sql) => {
      const [row] = await sql.query(
        "SELECT * FROM jobs WHERE id = $1 AND lease_token = $2 AND status = 'PROGRESSING'",
        [lease.job.id, lease.token],
      );
      if (!row) return undefined;
      const current = toJob(row);
      const next = afterFailure(current, error.retryable);
      const job = await this.change(
        sql,
        next === "ERROR" ? "JobFailed" : "JobRequeued",
        now,
        `UPDATE jobs SET status = $3, phase = NULL, error_code = $4, error_message = $5,
         lease_token = NULL, lease_expires = NULL, finished_at = $6, updated_at = $7, not_before = $8
         WHERE id = $1 AND lease_token = $2`,
        [
          lease.job.id,
          lease.token,
          next,
          error.code,
          error.message,
          next === "ERROR" ? now : null,
          now,
          next === "ERROR" ? null : now + retryDelayMs(current.attempts),
        ],
      );
      return job?.status;
    });
  }

  async release(lease: Lease, now: number): Promise<boolean> {
    return this.db.transaction(async (sql) => {
      const job = await this.change(
        sql,
        "JobRequeued",
        now,
        `UPDATE jobs SET status = 'SUBMITTED', phase = NULL, percent = 0, attempts = attempts - 1,
         lease_token = NULL, lease_expires = NULL, worker = NULL, updated_at = $3
         WHERE id = $1 AND lease_token = $2 AND status = 'PROGRESSING'`,
        [lease.job.id, lease.token, now],
      );
      return job !== undefined;
    });
  }

  async cancel(id: string, now: number): Promise<Job | undefined> {
    return this.db.transaction((sql) =>
      this.change(
        sql,
        "JobCanceled",
        now,
        `UPDATE jobs SET status = 'CANCELED', phase = NULL, lease_token = NULL, lease_expires = NULL,
         finished_at = $2, updated_at = $2 WHERE id = $1 AND status IN (${CANCELABLE})`,
        [id, now],
      ),
    );
  }

  async saveFrames(jobId: string, frames: FrameQuality[]): Promise<void> {
    await this.db.run(
      "INSERT INTO quality_frames (jobid, frames) VALUES ($1, $2) ON CONFLICT (jobid) DO UPDATE SET frames = $2",
      [jobId, json(frames)],
    );
  }

  async frames(jobId: string): Promise<FrameQuality[] | undefined> {
    const [row] = await this.db.query<{ frames: string }>(
      "SELECT frames FROM quality_frames WHERE jobid = $1",
      [jobId],
    );
    return row ? (parse<FrameQuality[]>(row.frames) ?? []) : undefined;
  }

  async addKey(
    key: { id: string; userid: string; hash: string; admin: boolean },
    now: number,
  ): Promise<boolean> {
    const inserted = await this.db.run(
      "INSERT INTO api_keys (id, userid, hash, admin, created_at) VALUES ($1,$2,$3,$4,$5) ON CONFLICT DO NOTHING",
      [key.id, key.userid, key.hash, key.admin ? 1 : 0, now],
    );
    return inserted === 1;
  }

  async keyByHash(hash: string): Promise<ApiKeyRecord | undefined> {
    const [row] = await this.db.query("SELECT * FROM api_keys WHERE hash = $1", [hash]);
    return row ? toKey(row) : undefined;
  }

  async keyById(id: string): Promise<(ApiKeyRecord & { hash: string }) | undefined> {
    const [row] = await this.db.query("SELECT * FROM api_keys WHERE id = $1", [id]);
    return row ? { ...toKey(row), hash: String(row.hash) } : undefined;
  }

  async revokeKey(id: string, now: number): Promise<boolean> {
    return (
      (await this.db.run("UPDATE api_keys SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL", [
        id,
        now,
      ])) === 1
    );
  }

  async listKeys(): Promise<ApiKeyRecord[]> {
    return (await this.db.query("SELECT * FROM api_keys ORDER BY created_at, id")).map(toKey);
  }

  async saveWorker(w: WorkerInfo): Promise<void> {
    await this.db.run(
      `INSERT INTO workers (id, task_id, host, state, current_jobs, cpus, memory, slots, started_at, heartbeat_at)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)
       ON CONFLICT (id) DO UPDATE SET state = $4, current_jobs = $5, heartbeat_at = $10`,
      [
        w.id,
        w.taskId,
        w.host,
        w.state,
        json(w.currentJobs),
        w.cpus,
        w.memory,
        w.slots,
        w.startedAt,
        w.heartbeatAt,
      ],
    );
  }

  async workers(): Promise<WorkerInfo[]> {
    const rows = await this.db.query("SELECT * FROM workers ORDER BY started_at DESC LIMIT 200");
    return rows.map((row) => ({
      id: String(row.id),
      taskId: String(row.task_id),
      host: String(row.host),
      state: row.state as WorkerInfo["state"],
      currentJobs: parse<string[]>(row.current_jobs) ?? [],
      cpus: Number(row.cpus),
      memory: Number(row.memory),
      slots: Number(row.slots),
      startedAt: Number(row.started_at),
      heartbeatAt: Number(row.heartbeat_at),
    }));
  }

  async queues(now: number): Promise<QueueInfo[]> {
    const rows = await this.db.query<{ kind: string; depth: unknown; oldest: unknown }>(
      "SELECT kind, COUNT(*) AS depth, MIN(created_at) AS oldest FROM jobs WHERE status = 'SUBMITTED' GROUP BY kind",
    );
    return (["transcode", "quality"] as const).map((name) => {
      const row = rows.find((r) => r.kind === name);
      const oldest = num(row?.oldest);
      return {
        name,
        depth: Number(row?.depth ?? 0),
        oldestAgeSeconds: oldest === null ? 0 : Math.max(0, (now - oldest) / 1000),
      };
    });
  }

  async countByState(): Promise<Record<JobState, number>> {
    const rows = await this.db.query<{ status: JobState; n: unknown }>(
      "SELECT status, COUNT(*) AS n FROM jobs GROUP BY status",
    );
    const counts = Object.fromEntries(JOB_STATES.map((s) => [s, 0])) as Record<JobState, number>;
    for (const row of rows) counts[row.status] = Number(row.n);
    return counts;
  }

  async recentTimings(limit: number): Promise<JobTiming[]> {
    const rows = await this.db.query(
      "SELECT created_at, started_at, finished_at FROM jobs WHERE started_at IS NOT NULL ORDER BY updated_at DESC LIMIT $1",
      [limit],
    );
    return rows.map((r) => ({
      createdAt: Number(r.created_at),
      startedAt: num(r.started_at),
      finishedAt: num(r.finished_at),
    }));
  }
}

function toKey(row: Row): ApiKeyRecord {
  return {
    id: String(row.id),
    userid: String(row.userid),
    admin: Number(row.admin) === 1,
    createdAt: Number(row.created_at),
    revokedAt: num(row.revoked_at),
  };
}
