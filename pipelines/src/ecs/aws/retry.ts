import {
  isServerError,
  isThrottlingError,
  isTransientError,
  StandardRetryStrategy,
  type StandardRetryStrategyOptions,
} from "@smithy/core/retry";

// The one retry strategy of every AWS call the CLI makes: the SDK's own (standard mode), so throttling
// and transient errors are classified by the SDK and retried inside its middleware, and nothing
// retries around it. Throttled calls back off with full jitter from a 1 s base up to 20 s, so a burst
// of throttling during ten parallel deploys spreads them out instead of failing them.
// Adaptive mode is not used: its client-side rate limiter only sees the calls of one process, and
// each `ecs deploy` is a process of its own.

/** Attempts per call, the first one included. */
export const MAX_ATTEMPTS = 8;

export type RetryBackoff = NonNullable<StandardRetryStrategyOptions["backoff"]>;

/** A strategy per client, as the SDK makes them: each keeps its own retry quota. */
export function retryStrategy(backoff?: RetryBackoff): StandardRetryStrategy {
  return new StandardRetryStrategy({ maxAttempts: MAX_ATTEMPTS, backoff });
}

/** An error the SDK retries: worth another look later once its retries are spent, not a reason to stop. */
export function isTransient(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const e = error as Parameters<typeof isThrottlingError>[0];
  return isThrottlingError(e) || isTransientError(e) || isServerError(e);
}
