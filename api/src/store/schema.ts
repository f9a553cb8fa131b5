import type { Dialect, Sql } from "./dialect.js";

// Every process runs this at boot, so each statement must be a no-op on a database that has it.

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
    // Pieces of segmented jobs (segments.ts); priority and job_created_at copy the job's, for the
    // claim's order without a join (a join would lock the job row under SKIP LOCKED).
    `CREATE TABLE IF NOT EXISTS segments (
      job_id TEXT NOT NULL, idx INTEGER NOT NULL, seg_count INTEGER NOT NULL,
      start_seconds DOUBLE PRECISION NOT NULL, duration_seconds DOUBLE PRECISION NOT NULL,
      status TEXT NOT NULL, percent INTEGER NOT NULL, attempts INTEGER NOT NULL, max_attempts INTEGER NOT NULL,
      error_message TEXT, lease_token TEXT, lease_expires BIGINT, worker TEXT,
      priority INTEGER NOT NULL, job_created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,
      PRIMARY KEY (job_id, idx))`,
    "CREATE INDEX IF NOT EXISTS segments_queue ON segments (status, priority, job_created_at)",
  ];
}

/** Columns added after their table was first created: [table, column, type]. */
const ADDED_COLUMNS: [string, string, string][] = [
  // Shortest-expected-job-first (model/scheduling.ts): what kind of job it is, and how long its kind took.
  ["jobs", "cost_key", "TEXT"],
  ["jobs", "expected_ms", "BIGINT"],
];

export async function migrate(db: Dialect): Promise<void> {
  // Several processes may boot at once; PostgreSQL's CREATE ... IF NOT EXISTS can still race.
  await db.transaction(async (sql) => {
    if (db.name === "postgres") await sql.query("SELECT pg_advisory_xact_lock(715000)");
    for (const statement of schema(db)) await sql.run(statement);
    for (const [table, column, type] of ADDED_COLUMNS) await addColumn(db, sql, table, column, type);
    await sql.run("CREATE INDEX IF NOT EXISTS jobs_cost ON jobs (cost_key, finished_at)");
  });
}

/** SQLite has no ADD COLUMN IF NOT EXISTS: it is asked which columns the table has. */
async function addColumn(db: Dialect, sql: Sql, table: string, column: string, type: string): Promise<void> {
  if (db.name === "postgres") {
    await sql.run(`ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS ${column} ${type}`);
    return;
  }
  const columns = await sql.query<{ name: string }>(`PRAGMA table_info(${table})`);
  if (!columns.some((c) => c.name === column))
    await sql.run(`ALTER TABLE ${table} ADD COLUMN ${column} ${type}`);
}
