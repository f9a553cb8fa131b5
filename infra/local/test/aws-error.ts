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
