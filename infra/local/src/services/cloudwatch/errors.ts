import { AwsError } from "../../contracts.js";

// CloudWatch is an awsQuery service: client mistakes are 400s with these codes and the Sender fault.
export const invalidValue = (message: string) => new AwsError("InvalidParameterValue", message);
export const invalidCombination = (message: string) => new AwsError("InvalidParameterCombination", message);
export const missingParameter = (name: string) =>
  new AwsError("MissingParameter", `The parameter ${name} is required.`);

/** Features the local region leaves out on purpose; the message says so rather than pretending. */
export const notSupported = (what: string) =>
  new AwsError("InvalidParameterCombination", `${what} is not supported by the local region.`);
