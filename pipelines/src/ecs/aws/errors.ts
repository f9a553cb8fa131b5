import { UsageError } from "../model/errors.js";

// AWS answers that mean the user asked for something that is not there, or is not allowed in:
// they end with exit code 3 and one line, like any other bad usage.

const USAGE_ERRORS: Record<string, string> = {
  ClusterNotFoundException: "cluster not found",
  ServiceNotFoundException: "service not found",
  ServiceNotActiveException: "service is not active",
  UnrecognizedClientException: "AWS does not recognize these credentials",
  InvalidClientTokenId: "AWS does not recognize these credentials",
  InvalidSignatureException: "the request signature is wrong (check the secret access key)",
  SignatureDoesNotMatch: "the request signature is wrong (check the secret access key)",
  ExpiredTokenException: "the AWS session token has expired",
  ExpiredToken: "the AWS session token has expired",
  MissingAuthenticationTokenException: "the request was not signed (no credentials?)",
  CredentialsProviderError: "no AWS credentials found (set AWS_PROFILE, --profile or the AWS_* variables)",
  AccessDeniedException: "access denied",
  AccessDenied: "access denied",
};

export function asUsageError(error: unknown): UsageError | undefined {
  if (error instanceof UsageError) return error;
  if (!(error instanceof Error)) return undefined;
  const meaning = USAGE_ERRORS[error.name];
  if (meaning) return new UsageError(`${meaning}: ${firstLine(error.message)}`);
  if (/Region is missing|region.*not.*(set|configured)/i.test(error.message)) {
    return new UsageError("no AWS region: pass --region or set AWS_REGION / the profile's region");
  }
  if (/Could not load credentials|Unable to locate credentials/i.test(error.message)) {
    return new UsageError(`no AWS credentials: ${firstLine(error.message)}`);
  }
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ECONNREFUSED" || code === "ENOTFOUND") {
    return new UsageError(
      `cannot reach the AWS endpoint (${code}): check AWS_ENDPOINT_URL / endpoint_url and the region`,
    );
  }
  if (/profile .* (could not be found|not found)/i.test(error.message)) {
    return new UsageError(firstLine(error.message));
  }
  return undefined;
}

export function firstLine(text: string): string {
  return text.split("\n")[0]!.trim();
}
