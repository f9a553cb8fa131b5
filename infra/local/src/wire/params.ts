import { AwsError } from "../contracts.js";

// Reading a decoded request. awsJson bodies carry JSON types; awsQuery forms carry strings only, so
// numbers and booleans are accepted in their string form too. A value of the wrong type raises
// InputTypeError, which the wire answers per protocol (SerializationException / ValidationError).

export type Input = Record<string, unknown>;

export class InputTypeError extends AwsError {
  constructor(message: string) {
    super("SerializationException", message);
  }
}

/** AWS's wording for a required member that is absent. */
export function missing(name: string): AwsError {
  return new AwsError(
    "ValidationException",
    `1 validation error detected: Value null at '${name}' failed to satisfy constraint: Member must not be null`,
  );
}

export function optString(input: Input, name: string): string | undefined {
  const v = input[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw new InputTypeError(`'${name}' must be a string, got ${typeOf(v)}`);
  return v;
}

export function reqString(input: Input, name: string): string {
  const v = optString(input, name);
  if (v === undefined) throw missing(name);
  return v;
}

export function optInt(input: Input, name: string): number | undefined {
  const v = input[name];
  if (v === undefined || v === null) return undefined;
  const n = typeof v === "string" && /^-?\d+$/.test(v.trim()) ? Number(v) : v;
  if (typeof n !== "number" || !Number.isInteger(n)) {
    throw new InputTypeError(`'${name}' must be an integer, got ${typeOf(v)}`);
  }
  return n;
}

export function reqInt(input: Input, name: string): number {
  const v = optInt(input, name);
  if (v === undefined) throw missing(name);
  return v;
}

export function optBool(input: Input, name: string): boolean | undefined {
  const v = input[name];
  if (v === undefined || v === null) return undefined;
  if (v === "true") return true;
  if (v === "false") return false;
  if (typeof v !== "boolean") throw new InputTypeError(`'${name}' must be a boolean, got ${typeOf(v)}`);
  return v;
}

export function optList(input: Input, name: string): unknown[] | undefined {
  const v = input[name];
  if (v === undefined || v === null || v === "") return undefined;
  if (!Array.isArray(v)) throw new InputTypeError(`'${name}' must be a list, got ${typeOf(v)}`);
  return v;
}

export function optStringList(input: Input, name: string): string[] | undefined {
  const list = optList(input, name);
  if (!list) return undefined;
  return list.map((item, i) => {
    if (typeof item !== "string")
      throw new InputTypeError(`'${name}[${i}]' must be a string, got ${typeOf(item)}`);
    return item;
  });
}

export function optObjectList(input: Input, name: string): Input[] | undefined {
  const list = optList(input, name);
  if (!list) return undefined;
  return list.map((item, i) => {
    if (!isObject(item)) throw new InputTypeError(`'${name}[${i}]' must be a structure, got ${typeOf(item)}`);
    return item;
  });
}

export function optObject(input: Input, name: string): Input | undefined {
  const v = input[name];
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) throw new InputTypeError(`'${name}' must be a structure, got ${typeOf(v)}`);
  return v;
}

export function isObject(v: unknown): v is Input {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function typeOf(v: unknown): string {
  if (Array.isArray(v)) return "a list";
  if (v === null) return "null";
  return typeof v === "object" ? "a structure" : `a ${typeof v}`;
}

/** AWS's constraint-violation message, e.g. for a name out of its length or pattern limits. */
export function constraint(code: string, name: string, value: unknown, rule: string): AwsError {
  return new AwsError(
    code,
    `1 validation error detected: Value '${String(value)}' at '${name}' failed to satisfy constraint: ${rule}`,
  );
}

/** Checks an integer's range with AWS's constraint message. */
export function inRange(
  code: string,
  name: string,
  value: number | undefined,
  min: number,
  max: number,
): void {
  if (value === undefined) return;
  if (value < min)
    throw constraint(code, name, value, `Member must have value greater than or equal to ${min}`);
  if (value > max) throw constraint(code, name, value, `Member must have value less than or equal to ${max}`);
}

/** A double: a JSON number, or its text in an awsQuery form. */
export function optNumber(input: Input, name: string): number | undefined {
  const v = input[name];
  if (v === undefined || v === null) return undefined;
  const n = typeof v === "string" && v.trim() !== "" ? Number(v) : v;
  if (typeof n !== "number" || Number.isNaN(n)) {
    throw new InputTypeError(`'${name}' must be a number, got ${typeOf(v)}`);
  }
  return n;
}

/** awsJson sends epoch seconds, awsQuery an ISO 8601 date (or epoch seconds). */
export function optTimestamp(input: Input, name: string): Date | undefined {
  const v = input[name];
  if (v === undefined || v === null) return undefined;
  const time = typeof v === "number" ? v * 1000 : typeof v === "string" ? timestampText(v) : Number.NaN;
  if (Number.isNaN(time)) throw new InputTypeError(`'${name}' must be a timestamp, got ${typeOf(v)}`);
  return new Date(time);
}

function timestampText(text: string): number {
  return /^-?\d+(\.\d+)?$/.test(text.trim()) ? Number(text) * 1000 : Date.parse(text);
}
