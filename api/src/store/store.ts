import type {
  Job,
  JobAction,
  JobEvent,
  JobKind,
  JobResult,
  JobSpec,
  JobState,
  Phase,
  WorkerRef,
} from "../model/job.js";
import type { FrameQuality } from "../model/progress.js";

// What the service needs from its database. Two implementations share one SQL body (sql-store.ts):
// SQLite for one host, PostgreSQL for several.

export interface NewJob {
  id: string;
  userid: string;
  kind: JobKind;
  spec: JobSpec;
  priority: number;
  maxAttempts: number;
  batchId: string | null;
}

export interface SubmitRequest {
  userid: string;
  jobs: NewJob[];
  /** Idempotency: the same user and token return the jobs of the first request. */
  clientRequestToken: string | null;
  /** Fingerprint of the request body, to refuse a token reused for a different request. */
  fingerprint: string;
}

export interface SubmitOutcome {
  jobs: Job[];
  /** False when a retry returned the jobs of an earlier request. */
  created: boolean;
}

export class IdempotencyMismatch extends Error {}

/** Proof that a worker holds a job: every write of the worker is fenced by its token. */
export interface Lease {
  job: Job;
  token: string;
  worker: WorkerRef;
}

export interface JobPage {
  jobs: Job[];
  nextCursor: string | null;
}

export interface ListQuery {
  status?: JobState;
  userid?: string;
  limit: number;
  cursor?: string;
}

export type WorkerState = "Booting" | "Idle" | "Busy" | "Draining" | "Stopped";

export interface WorkerInfo {
  id: string;
  taskId: string;
  host: string;
  state: WorkerState;
  currentJobs: string[];
  cpus: number;
  memory: number;
  slots: number;
  startedAt: number;
  heartbeatAt: number;
}

export interface ApiKeyRecord {
  id: string;
  userid: string;
  admin: boolean;
  createdAt: number;
  revokedAt: number | null;
}

export interface QueueInfo {
  name: JobKind;
  depth: number;
  oldestAgeSeconds: number;
}

export interface JobTiming {
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
}

export interface ProgressUpdate {
  phase: Phase;
  percentComplete: number;
  /** Write a JobProgress event (the worker decides, so the log stays short). */
  logEvent: boolean;
}

export interface JobStore {
  readonly kind: "sqlite" | "postgres";
  migrate(): Promise<void>;
  close(): Promise<void>;

  submit(request: SubmitRequest, now: number): Promise<SubmitOutcome>;
  get(id: string): Promise<Job | undefined>;
  list(query: ListQuery): Promise<JobPage>;
  events(jobId: string): Promise<JobEvent[]>;
  eventsSince(seq: number, limit: number): Promise<JobEvent[]>;
  lastSeq(): Promise<number>;

  /** The next job by priority then age, or one whose lease expired; undefined when there is none. */
  claim(worker: WorkerRef, now: number, leaseMs: number): Promise<Lease | undefined>;
  /** Extends the lease; false when it is lost (canceled, expired and taken): stop the work. */
  heartbeat(lease: Lease, now: number, leaseMs: number, progress?: ProgressUpdate): Promise<boolean>;
  /** True for the one holder of the current lease; every other call changes nothing. */
  complete(lease: Lease, result: JobResult, now: number): Promise<boolean>;
  fail(
    lease: Lease,
    error: { code: string; message: string; retryable: boolean },
    now: number,
  ): Promise<JobState | undefined>;
  /** Hands the job back (worker stopping): SUBMITTED again, this attempt not counted. */
  release(lease: Lease, now: number): Promise<boolean>;
  /** Cancels a queued or running job; undefined when it was already final. */
  cancel(id: string, now: number): Promise<Job | undefined>;

  saveFrames(jobId: string, frames: FrameQuality[]): Promise<void>;
  frames(jobId: string): Promise<FrameQuality[] | undefined>;

  addKey(key: { id: string; userid: string; hash: string; admin: boolean }, now: number): Promise<boolean>;
  keyByHash(hash: string): Promise<ApiKeyRecord | undefined>;
  keyById(id: string): Promise<(ApiKeyRecord & { hash: string }) | undefined>;
  revokeKey(id: string, now: number): Promise<boolean>;
  listKeys(): Promise<ApiKeyRecord[]>;

  saveWorker(worker: WorkerInfo): Promise<void>;
  workers(): Promise<WorkerInfo[]>;

  queues(now: number): Promise<QueueInfo[]>;
  countByState(): Promise<Record<JobState, number>>;
  recentTimings(limit: number): Promise<JobTiming[]>;
}

export type { JobAction };
