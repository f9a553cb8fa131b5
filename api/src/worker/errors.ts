import { ProbeError } from "../media/ffmpeg.js";
import { InputMissing } from "../storage/files.js";
import { FetchFailed, FetchRefused } from "../storage/guarded-fetch.js";

// What went wrong with a job, as the client sees it: a code, a message, and whether another
// attempt could help.

export class JobError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

export function classify(error: unknown): JobError {
  if (error instanceof JobError) return error;
  if (error instanceof FetchRefused) return new JobError("INPUT_FORBIDDEN", error.message, false);
  if (error instanceof FetchFailed) return new JobError("INPUT_UNAVAILABLE", error.message, true);
  if (error instanceof InputMissing) return new JobError("INPUT_NOT_FOUND", error.message, false);
  if (error instanceof ProbeError) return new JobError("INPUT_INVALID", error.message, false);
  return new JobError("INTERNAL", "the worker failed unexpectedly; the job will be retried", true);
}
