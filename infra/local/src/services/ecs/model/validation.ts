import { AwsError } from "../../../contracts.js";

// ECS's rules' errors: the same codes and, where ECS has a well-known wording, its message.

export const invalid = (message: string) => new AwsError("InvalidParameterException", message);
export const client = (message: string) => new AwsError("ClientException", message);

const NAME = /^[a-zA-Z0-9_-]{1,255}$/;

export function checkName(value: string | undefined, what: string): string {
  if (value === undefined || !NAME.test(value)) {
    throw invalid(
      `${what} name must be 1-255 characters: letters (uppercase and lowercase), numbers, hyphens and underscores; got ${JSON.stringify(value)}.`,
    );
  }
  return value;
}

/** A member ECS needs, as a non-empty string. */
export function checkString(value: string | undefined, what: string): string {
  if (value === undefined || value === "") throw invalid(`${what} must be a non-empty string.`);
  return value;
}
