import { AwsError } from "../../../contracts.js";

// ECS's request validation: the same codes and, where ECS has a well-known wording, its message.

export const invalid = (message: string) => new AwsError("InvalidParameterException", message);
export const client = (message: string) => new AwsError("ClientException", message);

const NAME = /^[a-zA-Z0-9_-]{1,255}$/;

export function checkName(value: unknown, what: string): string {
  if (typeof value !== "string" || !NAME.test(value)) {
    throw invalid(
      `${what} name must be 1-255 characters: letters (uppercase and lowercase), numbers, hyphens and underscores; got ${JSON.stringify(value)}.`,
    );
  }
  return value;
}

export function checkString(value: unknown, what: string): string {
  if (typeof value !== "string" || value === "") throw invalid(`${what} must be a non-empty string.`);
  return value;
}

export function optionalString(value: unknown, what: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw invalid(`${what} must be a string.`);
  return value;
}

export function optionalInt(value: unknown, what: string, min: number, max: number): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw invalid(`${what} must be an integer from ${min} to ${max}; got ${JSON.stringify(value)}.`);
  }
  return value;
}

export function optionalBool(value: unknown, what: string): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "boolean") throw invalid(`${what} must be a boolean.`);
  return value;
}

export function list(value: unknown, what: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw invalid(`${what} must be a list.`);
  return value;
}

export function object(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw invalid(`${what} must be an object.`);
  return value as Record<string, unknown>;
}

export function stringList(value: unknown, what: string): string[] {
  return list(value, what).map((v, i) => {
    if (typeof v !== "string") throw invalid(`${what}[${i}] must be a string.`);
    return v;
  });
}
