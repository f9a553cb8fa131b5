import { AwsError } from "../contracts.js";
import { InputTypeError } from "./params.js";
import type { AuthFailure, AuthFailureKind } from "./sigv4.js";

// The same failure has a different code per protocol: awsJson services answer with `...Exception`
// names, awsQuery services with the older EC2-style codes.

export type WireProtocol = "json" | "query";

const AUTH_CODES: Record<AuthFailureKind, { json: string; query: string }> = {
  missing: { json: "MissingAuthenticationTokenException", query: "MissingAuthenticationToken" },
  incomplete: { json: "IncompleteSignatureException", query: "IncompleteSignature" },
  unknownKey: { json: "UnrecognizedClientException", query: "InvalidClientTokenId" },
  mismatch: { json: "InvalidSignatureException", query: "SignatureDoesNotMatch" },
  expired: { json: "InvalidSignatureException", query: "SignatureDoesNotMatch" },
  urlExpired: { json: "AccessDeniedException", query: "AccessDenied" },
};

export function authError(failure: AuthFailure, protocol: WireProtocol): AwsError {
  const message =
    failure.kind === "missing" && protocol === "query"
      ? "Request is missing Authentication Token"
      : failure.message;
  return new AwsError(AUTH_CODES[failure.kind][protocol], message, 403);
}

/** A handler's error as the protocol states it; anything that is not an AwsError is our bug. */
export function asProtocolError(error: unknown, protocol: WireProtocol): AwsError | undefined {
  if (error instanceof InputTypeError && protocol === "query")
    return new AwsError("ValidationError", error.message);
  if (error instanceof AwsError) {
    if (protocol === "query" && error.code === "ValidationException")
      return new AwsError("ValidationError", error.message);
    return error;
  }
  return undefined;
}

export function internalFailure(): AwsError {
  return new AwsError(
    "InternalFailure",
    "The request processing has failed because of an unknown error.",
    500,
    "Receiver",
  );
}
