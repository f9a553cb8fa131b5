import { AwsError } from "../src/contracts.js";

/** The AwsError an action throws; fails the test when it throws nothing or something else. */
export function awsError(action: () => unknown): AwsError {
  try {
    action();
  } catch (error) {
    if (error instanceof AwsError) return error;
    throw error;
  }
  throw new Error("expected an AwsError");
}
