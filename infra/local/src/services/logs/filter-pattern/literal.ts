import type { Cursor } from "./cursor.js";
import { invalidPattern, invalidTerm } from "./errors.js";
import { compileRegex } from "./regex.js";

// The right-hand side of a comparison in JSON and space-delimited patterns: a number (signs,
// decimals, scientific notation), a string (bare or "quoted", `*` a wildcard in either) or a
// %regex%. How a value compares follows the real service (probes of TestMetricFilter, see
// errors.ts), which is stricter than the page lets on:
// - a number literal equals a JSON number of the same value (`= 1` takes 1, 1.0 and 1e0) and a
//   JSON string of the same text (`= 1` takes "1", not "1.0"); `<`, `<=`, `>`, `>=` take numbers
//   only, so "10" is not `> 1`;
// - a string literal, quoted or bare, compares with the text of a string or of a number as the
//   event wrote it (`= "1"` takes 1 but not 1.0); `*` matches any text, the empty one included;
// - a JSON boolean satisfies no comparison at all, not even `!=` (use IS TRUE / IS FALSE), and
//   `true` in a pattern is just the text "true".

export type Operator = "=" | "!=" | "<" | "<=" | ">" | ">=";

export type Literal = { source: string } & (
  | { kind: "number"; value: number }
  | { kind: "text"; text: string; wildcard?: RegExp }
  | { kind: "regex"; regex: RegExp }
);

/** A number as the event wrote it: its value, and its text for comparisons with strings. */
export class EventNumber {
  constructor(
    readonly value: number,
    readonly text: string,
  ) {}
}

/** A value read from an event: JSON strings, numbers and booleans; delimited fields are text or numbers. */
export type Scalar = string | boolean | EventNumber;

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
// What a bare (unquoted) value may hold; anything else needs double quotes, as AWS rejects it.
const BARE_CHAR = /[A-Za-z0-9_.*+\-/@#:]/;

export function readOperator(cursor: Cursor): Operator {
  for (const op of ["!=", "<=", ">=", "=", "<", ">"] as const) {
    if (cursor.accept(op)) return op;
  }
  throw invalidPattern();
}

export function readLiteral(cursor: Cursor, ends: string): Literal {
  cursor.skipSpaces();
  const start = cursor.position;
  const source = () => cursor.text.slice(start, cursor.position);
  if (cursor.peek() === '"') {
    const text = cursor.quoted();
    if (text === undefined) throw invalidTerm(cursor.restOfWord());
    return { ...textLiteral(text), source: source() };
  }
  if (cursor.peek() === "%")
    return { kind: "regex", regex: compileRegex(cursor.percentDelimited()), source: source() };
  const bare = cursor.takeWhile((c) => !/\s/.test(c) && !ends.includes(c));
  // `==` and `= null` are structural errors for the real service, not odd values.
  if (bare === "" || bare === "null" || "=!<>".includes(bare[0] ?? "")) throw invalidPattern();
  const invalid = [...bare].find((c) => !BARE_CHAR.test(c));
  if (invalid) throw invalidTerm(invalid);
  return NUMBER.test(bare)
    ? { kind: "number", value: Number(bare), source: bare }
    : { ...textLiteral(bare), source: bare };
}

/** Ordering operators only make sense against a number: AWS names the offending value. */
export function checkComparison(op: Operator, literal: Literal): void {
  if (!["=", "!="].includes(op) && literal.kind !== "number") throw invalidTerm(literal.source);
}

export function compare(op: Operator, literal: Literal, value: Scalar): boolean {
  if (typeof value === "boolean") return false;
  if (op === "=") return equals(literal, value);
  if (op === "!=") return !equals(literal, value);
  if (!(value instanceof EventNumber) || literal.kind !== "number") return false;
  if (op === "<") return value.value < literal.value;
  if (op === "<=") return value.value <= literal.value;
  if (op === ">") return value.value > literal.value;
  return value.value >= literal.value;
}

function equals(literal: Literal, value: string | EventNumber): boolean {
  const text = value instanceof EventNumber ? value.text : value;
  if (literal.kind === "regex") return literal.regex.test(text);
  if (literal.kind === "number")
    return value instanceof EventNumber ? value.value === literal.value : text === literal.source;
  return literal.wildcard ? literal.wildcard.test(text) : text === literal.text;
}

/** A delimited field: a number when its text reads as one, so that `bytes > 1000` works. */
export function fieldScalar(text: string): Scalar {
  return NUMBER.test(text) ? new EventNumber(Number(text), text) : text;
}

/** The number a value stands for (metric values), whether a JSON number or numeric text. */
export function numeric(value: Scalar | undefined): number | undefined {
  if (value instanceof EventNumber) return value.value;
  if (typeof value === "string" && NUMBER.test(value.trim())) return Number(value);
  return undefined;
}

/** How an extracted value is shown (TestMetricFilter's extractedValues are text). */
export function scalarText(value: Scalar): string {
  return value instanceof EventNumber ? value.text : String(value);
}

function textLiteral(text: string): { kind: "text"; text: string; wildcard?: RegExp } {
  if (!text.includes("*")) return { kind: "text", text };
  const escaped = text.split("*").map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  return { kind: "text", text, wildcard: new RegExp(`^${escaped.join(".*")}$`, "s") };
}
