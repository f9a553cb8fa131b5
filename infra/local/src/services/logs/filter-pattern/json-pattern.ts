import { type Condition, parseCondition } from "./condition.js";
import type { Cursor } from "./cursor.js";
import { invalidPattern, invalidTerm, tooManyRegexes, tooManyWildcardSelectors } from "./errors.js";
import { parseSelector, readSelector, resolve, type Selector } from "./json-selector.js";
import {
  checkComparison,
  compare,
  EventNumber,
  type Literal,
  readLiteral,
  readOperator,
  type Scalar,
  scalarText,
} from "./literal.js";
import type { PatternMatch } from "./match.js";
import { MAX_REGEXES_PER_PATTERN } from "./regex.js";

// JSON patterns ("Using filter patterns to match terms in JSON log events"): `{ <selector> <op>
// <value> }` joined with && and ||, plus `IS NULL`, `IS TRUE`, `IS FALSE` and `NOT EXISTS` (`IS NOT`
// and `EXISTS` are not supported). A comparison holds when a node the selector points at is a
// scalar satisfying it (see literal.ts); "if a property selector points to an array or object,
// the filter pattern won't match". An event that is not a JSON object matches no JSON pattern,
// NOT EXISTS included. What the real service does beyond the page (TestMetricFilter probes): IS
// NULL also holds for an array holding a null, and of duplicate keys the last one counts.

export interface JsonPattern {
  kind: "json";
  condition: Condition<unknown>;
  selectors: Selector[];
}

/** "... up to three wildcard selectors in a filter pattern with compound expressions." */
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
  if (literals.filter((l) => l.kind === "regex").length > MAX_REGEXES_PER_PATTERN) {
    throw tooManyRegexes(MAX_REGEXES_PER_PATTERN);
  }
  if (selectors.filter((s) => s.wildcards > 0).length > MAX_WILDCARD_SELECTORS) {
    throw tooManyWildcardSelectors(MAX_WILDCARD_SELECTORS);
  }
  return { kind: "json", condition, selectors };
}

export function matchJson(pattern: JsonPattern, message: string): PatternMatch | undefined {
  const root = parseEvent(message);
  if (root === undefined || !pattern.condition(root)) return undefined;
  const extractedValues: Record<string, string> = {};
  for (const selector of pattern.selectors) {
    const value = firstScalar(resolve(selector, root));
    if (value !== undefined) extractedValues[selector.text] = scalarText(value);
  }
  return { extractedValues, value: (reference) => jsonValue(root, reference) };
}

function readAtom(cursor: Cursor, selectors: Selector[], literals: Literal[]): Condition<unknown> {
  cursor.skipSpaces();
  if (cursor.peek() !== "$") throw notASelector(cursor);
  const selector = readSelector(cursor);
  selectors.push(selector);
  cursor.skipSpaces();
  const keyword = cursor.takeWhile((c) => /[A-Za-z]/.test(c));
  if (keyword !== "") return keywordTest(cursor, keyword, selector);
  const op = readOperator(cursor);
  const literal = readLiteral(cursor, LITERAL_ENDS);
  checkComparison(op, literal);
  literals.push(literal);
  return (root) => scalars(resolve(selector, root)).some((value) => compare(op, literal, value));
}

/** What AWS reports where a selector should start: `!($.a = 1)` → '!(', `"a": 1` → ':'. */
function notASelector(cursor: Cursor): Error {
  if (cursor.peek() === '"' && cursor.quoted() !== undefined) return invalidTerm(cursor.peek() || '"');
  const word = cursor.takeWhile((c) => !/\s/.test(c) && c !== "$");
  return word === "" ? invalidPattern() : invalidTerm(word);
}

function keywordTest(cursor: Cursor, keyword: string, selector: Selector): Condition<unknown> {
  cursor.skipSpaces();
  const second = cursor.takeWhile((c) => /[A-Za-z]/.test(c));
  const has = (test: (node: unknown) => boolean) => (root: unknown) => resolve(selector, root).some(test);
  if (keyword === "NOT" && second === "EXISTS") return (root) => resolve(selector, root).length === 0;
  if (keyword !== "IS" || second === "") throw invalidPattern();
  if (second === "NULL") return has((node) => node === null || (Array.isArray(node) && node.includes(null)));
  if (second === "TRUE") return has((node) => node === true);
  if (second === "FALSE") return has((node) => node === false);
  throw invalidTerm(second);
}

/** The event as JSON, numbers keeping the text they were written with; undefined unless an object. */
function parseEvent(message: string): object | undefined {
  try {
    const root: unknown = parseWithSource(message, (_key, value, context) =>
      typeof value === "number" ? new EventNumber(value, context?.source ?? String(value)) : value,
    );
    return root !== null && typeof root === "object" && !Array.isArray(root) ? root : undefined;
  } catch {
    return undefined;
  }
}

// JSON.parse hands revivers the source text of primitives (V8 since Node 21); the type says less.
const parseWithSource = JSON.parse as (
  text: string,
  reviver: (key: string, value: unknown, context?: { source?: string }) => unknown,
) => unknown;

function scalars(nodes: unknown[]): Scalar[] {
  return nodes.filter(
    (n): n is Scalar => typeof n === "string" || typeof n === "boolean" || n instanceof EventNumber,
  );
}

function firstScalar(nodes: unknown[]): Scalar | undefined {
  return scalars(nodes)[0];
}

function jsonValue(root: unknown, reference: string): string | undefined {
  const selector = parseSelector(reference);
  const value = selector ? firstScalar(resolve(selector, root)) : undefined;
  return value === undefined ? undefined : scalarText(value);
}
