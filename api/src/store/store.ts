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
import type { SegmentQueue } from "./segments.js";

// What the service needs from its database, in parts by concern; each part has one SQL file over
// either dialect (dialect.ts): SQLite for one host, PostgreSQL for several.

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

/** Submitting jobs; a retried clientRequestToken returns the first request's jobs (submissions.ts). */
export interface JobSubmissions {
  submit(request: SubmitRequest, now: number): Promise<SubmitOutcome>;
}

/** Reading jobs, pages of jobs and the event log (job-queries.ts). */
export interface JobQueries {
  get(id: string): Promise<Job | undefined>;
  list(query: ListQuery): Promise<JobPage>;
  events(jobId: string): Promise<JobEvent[]>;
  eventsSince(seq: number, limit: number): Promise<JobEvent[]>;
  lastSeq(): Promise<number>;
}

/** A job's life under a worker's lease, and its end by cancel (leases.ts). */
export interface JobLeases {
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
}

/** Per-frame PSNR/SSIM of a quality job (quality-frames.ts). */
export interface QualityFrameStore {
  saveFrames(jobId: string, frames: FrameQuality[]): Promise<void>;
  frames(jobId: string): Promise<FrameQuality[] | undefined>;
}

/** API keys, kept as hashes (api-keys.ts). */
export interface ApiKeyStore {
  addKey(key: { id: string; userid: string; hash: string; admin: boolean }, now: number): Promise<boolean>;
  keyByHash(hash: string): Promise<ApiKeyRecord | undefined>;
  keyById(id: string): Promise<(ApiKeyRecord & { hash: string }) | undefined>;
  revokeKey(id: string, now: number): Promise<boolean>;
  listKeys(): Promise<ApiKeyRecord[]>;
}

/** What each worker last said about itself (workers.ts). */
export interface WorkerRegistry {
  saveWorker(worker: WorkerInfo): Promise<void>;
  workers(): Promise<WorkerInfo[]>;
}

/** Queue depth, jobs by state and recent timings, for /stats, /metrics and scaling (stats.ts). */
export interface JobStats {
  queues(now: number): Promise<QueueInfo[]>;
  countByState(): Promise<Record<JobState, number>>;
  recentTimings(limit: number): Promise<JobTiming[]>;
}

/** The whole store, as openStore (open.ts) assembles it; a part of the app may ask for one part. */
export interface JobStore
  extends JobSubmissions,
    JobQueries,
    JobLeases,
    QualityFrameStore,
    ApiKeyStore,
    WorkerRegistry,
    JobStats,
    SegmentQueue {
  readonly kind: "sqlite" | "postgres";
  /** Creates the tables (schema.ts); safe when several processes boot at once. */
  migrate(): Promise<void>;
  /**
   * Calls `listener` after each write transaction of this process commits: events may be there to
   * read. A hint for readers in the same process (other processes' writes still need a poll).
   * Returns the unsubscribe.
   */
  onCommit(listener: () => void): () => void;
  close(): Promise<void>;
}

export type { JobAction };
