/**
 * A failure a user can act on: the message says what was wrong and what to do. The CLIs print the
 * message alone (no stack trace); `code` keeps ECR's error name when ECR is the one that refused.
 */
export class ImageError extends Error {
  constructor(
    message: string,
    readonly code = "ImageError",
  ) {
    super(message);
    this.name = "ImageError";
  }
}

/** The error name the AWS SDK gives a service exception (`ImageTagAlreadyExistsException`, ...). */
export function awsErrorName(error: unknown): string | undefined {
  if (error instanceof Error) return error.name;
  return undefined;
}
