import type { Cursor } from "./cursor.js";
import { invalidPattern } from "./errors.js";

// Compound expressions of JSON and space-delimited patterns: `&&`, `||` and parentheses, with the
// order of operations the syntax page states, () > && > ||. What an atom is differs between the
// two syntaxes, so the caller reads atoms.

export type Condition<T> = (subject: T) => boolean;

export function parseCondition<T>(cursor: Cursor, atom: (cursor: Cursor) => Condition<T>): Condition<T> {
  const alternatives = [parseConjunction(cursor, atom)];
  while (acceptOperator(cursor, "||")) alternatives.push(parseConjunction(cursor, atom));
  return alternatives.length === 1 ? alternatives[0]! : (subject) => alternatives.some((c) => c(subject));
}

function parseConjunction<T>(cursor: Cursor, atom: (cursor: Cursor) => Condition<T>): Condition<T> {
  const parts = [parseOperand(cursor, atom)];
  while (acceptOperator(cursor, "&&")) parts.push(parseOperand(cursor, atom));
  return parts.length === 1 ? parts[0]! : (subject) => parts.every((c) => c(subject));
}

function parseOperand<T>(cursor: Cursor, atom: (cursor: Cursor) => Condition<T>): Condition<T> {
  cursor.skipSpaces();
  if (!cursor.accept("(")) return atom(cursor);
  const inner = parseCondition(cursor, atom);
  cursor.skipSpaces();
  if (!cursor.accept(")")) throw invalidPattern();
  return inner;
}

function acceptOperator(cursor: Cursor, operator: string): boolean {
  cursor.skipSpaces();
  return cursor.accept(operator);
}
