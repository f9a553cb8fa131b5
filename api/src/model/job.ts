import type { FfmpegProfile } from "./profile.js";
import type { MetricName, QualityPlan } from "./quality-metrics.js";

// The job: its states, its phases, and the rules for moving between them. No I/O here; the store
// applies these rules inside its transactions.

export const JOB_STATES = ["SUBMITTED", "PROGRESSING", "COMPLETE", "ERROR", "CANCELED"] as const;
export type JobState = (typeof JOB_STATES)[number];
export const PHASES = ["PROBING", "TRANSCODING", "UPLOADING"] as const;
export type Phase = (typeof PHASES)[number];
export type JobKind = "transcode" | "quality";

export const FINAL_STATES: ReadonlySet<JobState> = new Set(["COMPLETE", "ERROR", "CANCELED"]);

export interface TranscodeSpec {
  kind: "transcode";
  input: string;
  output: string;
  profile: { ffmpeg: FfmpegProfile };
}

export interface QualitySpec {
  kind: "quality";
  /** The transcoded file. */
  input: string;
  /** Its origin. */
  reference: string;
  /** What to measure; jobs stored before it was recorded measure PSNR and SSIM. */
  plan?: QualityPlan;
}

export type JobSpec = TranscodeSpec | QualitySpec;

export interface QualityResult {
  psnr: number | null;
  ssim: number | null;
  vmaf: number | null;
  msSsim?: number | null;
  /** Why a metric that was asked for is null (e.g. no libvmaf on this host). */
  unavailable?: Partial<Record<MetricName, string>>;
  frames: number;
}

export interface TranscodeResult {
  output: string;
  bytes: number;
}

export type JobResult = TranscodeResult | QualityResult;

export interface WorkerRef {
  id: string;
  taskId: string;
  host: string;
}

export interface Job {
  id: string;
  userid: string;
  kind: JobKind;
  spec: JobSpec;
  priority: number;
  status: JobState;
  phase: Phase | null;
  percentComplete: number;
  attempts: number;
  maxAttempts: number;
  errorCode: string | null;
  errorMessage: string | null;
  result: JobResult | null;
  clientRequestToken: string | null;
  batchId: string | null;
  worker: WorkerRef | null;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  updatedAt: number;
}

export type JobAction =
  | "JobSummit"
  | "JobStart"
  | "JobProgress"
  | "JobRequeued"
  | "JobFinished"
  | "JobFailed"
  | "JobCanceled"
  | SegmentAction;

/** Events of a segmented job's pieces (model/segments.ts); the event's job carries `segment`. */
export type SegmentAction =
  | "SegmentsPlanned"
  | "SegmentStart"
  | "SegmentFinished"
  | "SegmentRequeued"
  | "SegmentFailed";

/** Which piece a segment event is about (none for SegmentsPlanned: the whole plan). */
export interface SegmentRef {
  count: number;
  index?: number;
  attempt?: number;
}

/** One line of a job's event log; `seq` orders all events of the service (the WebSocket's lastMod). */
export interface JobEvent {
  seq: number;
  ts: number;
  userID: string;
  jobID: string;
  action: JobAction;
  job: PublicJob;
  worker: WorkerRef | null;
}

/** A job as clients see it (MediaConvert vocabulary, the earlier service's field names). */
export interface PublicJob {
  jobid: string;
  userid: string;
  kind: JobKind;
  status: JobState;
  phase: Phase | null;
  percentComplete: number;
  priority: number;
  input: string;
  output: string | null;
  reference?: string;
  profile?: { ffmpeg: FfmpegProfile };
  attempts: number;
  errorCode?: string;
  errorMessage?: string;
  result?: JobResult;
  batchId?: string;
  /** Only in a segment event's snapshot. */
  segment?: SegmentRef;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
}

const iso = (ms: number | null) => (ms === null ? undefined : new Date(ms).toISOString());

export function publicJob(job: Job): PublicJob {
  const spec = job.spec;
  return {
    jobid: job.id,
    userid: job.userid,
    kind: job.kind,
    status: job.status,
    phase: job.phase,
    percentComplete: job.percentComplete,
    priority: job.priority,
    input: spec.input,
    output: spec.kind === "transcode" ? spec.output : null,
    ...(spec.kind === "quality" ? { reference: spec.reference } : { profile: spec.profile }),
    attempts: job.attempts,
    ...(job.errorCode ? { errorCode: job.errorCode, errorMessage: job.errorMessage ?? "" } : {}),
    ...(job.result ? { result: job.result } : {}),
    ...(job.batchId ? { batchId: job.batchId } : {}),
    createdAt: iso(job.createdAt)!,
    startedAt: iso(job.startedAt),
    finishedAt: iso(job.finishedAt),
  };
}

export class TransitionError extends Error {}

/** Every allowed move; anything else is a bug or a race the store lost (fenced by lease token). */
const ALLOWED: Record<JobState, readonly JobState[]> = {
  SUBMITTED: ["PROGRESSING", "CANCELED", "ERROR"],
  PROGRESSING: ["SUBMITTED", "COMPLETE", "ERROR", "CANCELED"],
  COMPLETE: [],
  ERROR: [],
  CANCELED: [],
};

export function assertTransition(from: JobState, to: JobState): void {
  if (!ALLOWED[from].includes(to)) throw new TransitionError(`a ${from} job cannot become ${to}`);
}

/** The states a job may leave for `to`: the store's WHERE clauses are built from this. */
export function statesThatCanBecome(to: JobState): JobState[] {
  return JOB_STATES.filter((from) => ALLOWED[from].includes(to));
}

export function canCancel(job: Job): boolean {
  return ALLOWED[job.status].includes("CANCELED");
}

/** A claimed job whose attempts are used up goes to ERROR instead of running again. */
export function attemptsExhausted(job: Pick<Job, "attempts" | "maxAttempts">): boolean {
  return job.attempts >= job.maxAttempts;
}

/** Wait before retrying a transient failure: 2 s, 4 s, 8 s, ... capped at a minute. */
export function retryDelayMs(attempts: number): number {
  return Math.min(60_000, 1000 * 2 ** Math.max(1, attempts));
}

/** After a failed attempt: retry while attempts remain and the failure may be transient. */
export function afterFailure(job: Pick<Job, "attempts" | "maxAttempts">, retryable: boolean): JobState {
  return retryable && !attemptsExhausted(job) ? "SUBMITTED" : "ERROR";
}
