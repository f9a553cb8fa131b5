import { type Condition, parseCondition } from "./condition.js";
import type { Cursor } from "./cursor.js";
import { invalidPattern } from "./errors.js";
import { parseSelector, readSelector, resolve, type Selector } from "./json-selector.js";
import { checkComparison, compare, type Literal, readLiteral, readOperator, type Scalar } from "./literal.js";
import type { PatternMatch } from "./match.js";
import { MAX_REGEXES_PER_PATTERN } from "./regex.js";

// JSON patterns ("Matching terms in JSON log events"): `{ <selector> <op> <value> }` joined with
// && and ||, plus `IS NULL`, `IS TRUE`, `IS FALSE` and `NOT EXISTS` (`IS NOT` and `EXISTS` are not
// supported, the page says). A comparison holds when a node the selector points at is a scalar
// satisfying it; "if a property selector points to an array or object, the metric filter won't
// match". An event that is not a JSON object or array matches no JSON pattern at all.

export interface JsonPattern {
  kind: "json";
  condition: Condition<unknown>;
  selectors: Selector[];
}

/** AWS's quota on wildcard selectors in one pattern, as quoted second-hand (see json-selector). */
export const MAX_WILDCARD_SELECTORS = 3;

const LITERAL_ENDS = "&|)}";

export function parseJson(cursor: Cursor): JsonPattern {
  cursor.expect("{");
  const selectors: Selector[] = [];
  const literals: Literal[] = [];
  const condition = parseCondition(cursor, (c) => readAtom(c, selectors, literals));
  cursor.skipSpaces();
  cursor.expect("}");
  cursor.skipSpaces();
  if (!cursor.atEnd()) throw invalidPattern();
  if (literals.filter((l) => l.kind === "regex").length > MAX_REGEXES_PER_PATTERN) throw invalidPattern();
  if (selectors.filter((s) => s.wildcards > 0).length > MAX_WILDCARD_SELECTORS) throw invalidPattern();
  return { kind: "json", condition, selectors };
}

export function matchJson(pattern: JsonPattern, message: string): PatternMatch | undefined {
  const root = parseEvent(message);
  if (root === undefined || !pattern.condition(root)) return undefined;
  const extractedValues: Record<string, string> = {};
  for (const selector of pattern.selectors) {
    const value = firstScalar(resolve(selector, root));
    if (value !== undefined) extractedValues[selector.text] = value;
  }
  return { extractedValues, value: (reference) => jsonValue(root, reference) };
}

function readAtom(cursor: Cursor, selectors: Selector[], literals: Literal[]): Condition<unknown> {
  cursor.skipSpaces();
  const selector = readSelector(cursor);
  selectors.push(selector);
  cursor.skipSpaces();
  const keyword = cursor.takeWhile((c) => /[A-Za-z]/.test(c)).toUpperCase();
  if (keyword !== "") return keywordTest(cursor, keyword, selector);
  const op = readOperator(cursor);
  const literal = readLiteral(cursor, LITERAL_ENDS);
  checkComparison(op, literal);
  literals.push(literal);
  return (root) => scalars(resolve(selector, root)).some((value) => compare(op, literal, value));
}

function keywordTest(cursor: Cursor, keyword: string, selector: Selector): Condition<unknown> {
  cursor.skipSpaces();
  const second = cursor.takeWhile((c) => /[A-Za-z]/.test(c)).toUpperCase();
  const is = (expected: unknown) => (root: unknown) =>
    resolve(selector, root).some((node) => node === expected);
  if (keyword === "IS" && second === "NULL") return is(null);
  if (keyword === "IS" && second === "TRUE") return is(true);
  if (keyword === "IS" && second === "FALSE") return is(false);
  if (keyword === "NOT" && second === "EXISTS") return (root) => resolve(selector, root).length === 0;
  throw invalidPattern();
}

function parseEvent(message: string): unknown {
  try {
    const root: unknown = JSON.parse(message);
    return root !== null && typeof root === "object" ? root : undefined;
  } catch {
    return undefined;
  }
}

function scalars(nodes: unknown[]): Scalar[] {
  return nodes.filter((n): n is Scalar => ["string", "number", "boolean"].includes(typeof n));
}

function firstScalar(nodes: unknown[]): string | undefined {
  const [first] = scalars(nodes);
  return first === undefined ? undefined : String(first);
}

function jsonValue(root: unknown, reference: string): string | undefined {
  const selector = parseSelector(reference);
  return selector ? firstScalar(resolve(selector, root)) : undefined;
}
