import type { Job, JobAction, JobEvent, JobResult, JobState, WorkerRef } from "../model/job.js";
import type { Row } from "./dialect.js";

// Rows and records: structured values are kept as JSON text; BIGINT and nullable columns come back
// as whatever the driver gives, so every number is converted here.

export const json = (value: unknown) =>
  value === null || value === undefined ? null : JSON.stringify(value);
export const parse = <T>(text: unknown): T | null =>
  typeof text === "string" ? (JSON.parse(text) as T) : null;
export const num = (value: unknown): number | null =>
  value === null || value === undefined ? null : Number(value);

export function toJob(row: Row): Job {
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

export function toEvent(row: Row): JobEvent {
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
