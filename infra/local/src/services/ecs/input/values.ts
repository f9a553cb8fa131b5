import { invalid } from "../model/validation.js";

// Reading ECS's JSON requests: each member's type (and, for numbers, its range) with ECS's wording.
// A member that is absent reads as undefined; the model says when it is required.

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

export function stringMap(value: unknown, what: string): Record<string, string> {
  const o = object(value, what);
  for (const [k, v] of Object.entries(o))
    if (typeof v !== "string") throw invalid(`${what}.${k} must be a string.`);
  return o as Record<string, string>;
}

/** A number in a range (ECS's percents come in tenths: 10.5 is a valid canary percent). */
export function optionalNumber(value: unknown, what: string, min: number, max: number): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value) || value < min || value > max) {
    throw invalid(`${what} must be a number from ${min} to ${max}; got ${JSON.stringify(value)}.`);
  }
  return value;
}
