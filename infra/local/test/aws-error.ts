import { AwsError } from "../src/contracts.js";

/** The AwsError code a model call throws; undefined when it does not throw. Other errors propagate. */
export function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof AwsError) return error.code;
    throw error;
  }
  return undefined;
}

/** What an SDK call's failure says: the error's name, message and HTTP status. Fails when the call succeeds. */
export async function errorOf(
  promise: Promise<unknown>,
): Promise<{ name: string; message: string; status?: number }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return {
      name: e.name,
      message: e.message,
      ...(e.$metadata?.httpStatusCode ? { status: e.$metadata.httpStatusCode } : {}),
    };
  }
  throw new Error("expected the call to fail");
}
