import type { Clock } from "./clock.js";

// The SDK clients retry on their own (adaptive mode: client-side rate limiting + backoff). This
// layer adds a few more attempts with full-jitter backoff around whole calls, so a burst of
// throttling during ten parallel deploys slows them down instead of failing them.

const THROTTLING = new Set([
  "ThrottlingException",
  "Throttling",
  "ThrottledException",
  "TooManyRequestsException",
  "RequestLimitExceeded",
  "RequestThrottled",
  "RequestThrottledException",
  "ProvisionedThroughputExceededException",
  "SlowDown",
  "PriorRequestNotComplete",
]);

const TRANSIENT_NODE_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "EPIPE",
  "ETIMEDOUT",
  "EAI_AGAIN",
  "ENOTFOUND",
]);

export function isRetryable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const e = error as Error & { $metadata?: { httpStatusCode?: number }; code?: string; $retryable?: unknown };
  if (THROTTLING.has(e.name)) return true;
  if (e.name === "ServerException" || e.name === "InternalFailure" || e.name === "ServiceUnavailable")
    return true;
  if (e.name === "TimeoutError" || e.name === "RequestTimeout") return true;
  const status = e.$metadata?.httpStatusCode;
  if (status !== undefined && (status === 429 || status >= 500)) return true;
  return e.code !== undefined && TRANSIENT_NODE_CODES.has(e.code);
}

export interface RetryPolicy {
  attempts: number;
  baseMs: number;
  capMs: number;
  random?: () => number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 6, baseMs: 500, capMs: 20_000 };

/** Full jitter: sleep a uniformly random time in [0, min(cap, base × 2^attempt)). */
export function fullJitterDelay(attempt: number, policy: RetryPolicy): number {
  const random = policy.random ?? Math.random;
  return Math.floor(random() * Math.min(policy.capMs, policy.baseMs * 2 ** attempt));
}

export async function withRetry<T>(call: () => Promise<T>, clock: Clock, policy = DEFAULT_RETRY): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (attempt + 1 >= policy.attempts || !isRetryable(error)) throw error;
      await clock.sleep(fullJitterDelay(attempt, policy));
    }
  }
}
