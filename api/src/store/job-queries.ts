import type { Job } from "../model/job.js";
import type { Dialect } from "./dialect.js";
import { toEvent, toJob } from "./rows.js";
import type { JobPage, JobQueries, ListQuery } from "./store.js";

// Pages are newest first and keyed on (created_at, id), so a job submitted while a client pages
// through neither repeats nor hides a row; the cursor is that key, opaque to the client.

export class CursorError extends Error {}

export function sqlJobQueries(db: Dialect): JobQueries {
  return {
    async get(id) {
      const [row] = await db.query("SELECT * FROM jobs WHERE id = $1", [id]);
      return row ? toJob(row) : undefined;
    },
    list: (query) => listJobs(db, query),
    async events(jobId) {
      const rows = await db.query("SELECT * FROM events WHERE jobid = $1 ORDER BY seq", [jobId]);
      return rows.map(toEvent);
    },
    async eventsSince(seq, limit) {
      const rows = await db.query("SELECT * FROM events WHERE seq > $1 ORDER BY seq LIMIT $2", [seq, limit]);
      return rows.map(toEvent);
    },
    async lastSeq() {
      const [row] = await db.query<{ seq: unknown }>("SELECT MAX(seq) AS seq FROM events");
      return Number(row?.seq ?? 0);
    },
  };
}

async function listJobs(db: Dialect, query: ListQuery): Promise<JobPage> {
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
  const rows = await db.query(
    `SELECT * FROM jobs ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
     ORDER BY created_at DESC, id DESC LIMIT $${params.length}`,
    params,
  );
  const jobs = rows.slice(0, query.limit).map(toJob);
  const last = jobs[jobs.length - 1];
  return { jobs, nextCursor: rows.length > query.limit && last ? encodeCursor(last) : null };
}

function encodeCursor(job: Job): string {
  return Buffer.from(JSON.stringify([job.createdAt, job.id])).toString("base64url");
}

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
