// The errors the CLI turns into exit codes. Anything else is a bug or an AWS fault and exits 2 after
// printing one line: a user never sees a stack trace.

/** Bad usage: unknown cluster/service/container, malformed arguments, bad credentials. Exit code 3. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** A check before any change failed (e.g. an image tag that was never pushed). Nothing was changed. */
export class PreflightError extends Error {
  override readonly name = "PreflightError";
}

export const EXIT = {
  deployed: 0,
  rolledBack: 1,
  rollbackFailed: 2,
  usage: 3,
} as const;
