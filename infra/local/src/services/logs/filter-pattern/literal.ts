import type { Cursor } from "./cursor.js";
import { invalidPattern, invalidTerm } from "./errors.js";
import { compileRegex } from "./regex.js";

// The right-hand side of a comparison in JSON and space-delimited patterns: a number (integers
// with + or -, decimals, scientific notation), a string (bare or "quoted", `*` a wildcard in
// either), or a %regex%. The rules are the ones the syntax page gives for JSON values; the
// space-delimited examples (`status_code = 4*`, `bytes > 1000`) follow the same ones.

export type Operator = "=" | "!=" | "<" | "<=" | ">" | ">=";

export type Literal =
  | { kind: "number"; value: number }
  | { kind: "text"; text: string; wildcard?: RegExp }
  | { kind: "regex"; regex: RegExp };

/** A scalar read from a log event: JSON values keep their type, delimited fields are text. */
export type Scalar = string | number | boolean;

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
  if (cursor.peek() === '"') return textLiteral(cursor.quoted());
  if (cursor.peek() === "%") return { kind: "regex", regex: compileRegex(cursor.percentDelimited()) };
  const bare = cursor.takeWhile((c) => !/\s/.test(c) && !ends.includes(c));
  if (bare === "") throw invalidPattern();
  const invalid = [...bare].find((c) => !BARE_CHAR.test(c));
  if (invalid) throw invalidTerm(invalid);
  return NUMBER.test(bare) ? { kind: "number", value: Number(bare) } : textLiteral(bare);
}

/** Ordering operators only make sense against a number; `=` and `!=` take anything. */
export function checkComparison(op: Operator, literal: Literal): void {
  if (!["=", "!="].includes(op) && literal.kind !== "number") throw invalidPattern();
}

export function compare(op: Operator, literal: Literal, value: Scalar): boolean {
  if (op === "=") return equals(literal, value);
  if (op === "!=") return !equals(literal, value);
  const number = numeric(value);
  if (number === undefined || literal.kind !== "number") return false;
  if (op === "<") return number < literal.value;
  if (op === "<=") return number <= literal.value;
  if (op === ">") return number > literal.value;
  return number >= literal.value;
}

function equals(literal: Literal, value: Scalar): boolean {
  const text = String(value);
  if (literal.kind === "regex") return literal.regex.test(text);
  if (literal.kind === "number") return numeric(value) === literal.value;
  return literal.wildcard ? literal.wildcard.test(text) : text === literal.text;
}

/** A JSON number, or text that reads as one ("404" from a delimited field). */
export function numeric(value: Scalar): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value === "string" && NUMBER.test(value.trim())) return Number(value);
  return undefined;
}

function textLiteral(text: string): Literal {
  if (!text.includes("*")) return { kind: "text", text };
  const escaped = text.split("*").map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  return { kind: "text", text, wildcard: new RegExp(`^${escaped.join(".*")}$`, "s") };
}
