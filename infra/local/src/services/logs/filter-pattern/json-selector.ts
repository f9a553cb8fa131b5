import { Cursor } from "./cursor.js";
import { invalidPattern, invalidTerm, tooManyWildcardsInSelector } from "./errors.js";

// Property selectors of JSON patterns: `$` then `.name` (alphanumerics, `-` and `_`, as the page
// says), `['name.with.dots']` ("the bracket notation may be used" for a property with a period),
// `[index]` (zero-based), and the wildcards `.*` / `[*]` for every property or element, objects
// and arrays alike. AWS names a bad selector up to its first wrong character: `$..`, `[-`, `[0:`.

type Segment = { name: string } | { index: number } | { wildcard: true };

export interface Selector {
  text: string;
  segments: Segment[];
  wildcards: number;
}

/** "You can only use up to one wildcard selector in a property selector." */
export const MAX_WILDCARDS_PER_SELECTOR = 1;

const NAME_CHAR = /[A-Za-z0-9_-]/;

export function readSelector(cursor: Cursor): Selector {
  const start = cursor.position;
  if (!cursor.accept("$")) throw invalidPattern();
  const segments: Segment[] = [];
  while (cursor.peek() === "." || cursor.peek() === "[") {
    if (cursor.accept(".") && cursor.peek() !== "[") segments.push(readName(cursor, start));
    else segments.push(readBracket(cursor));
  }
  if (segments.length === 0) throw invalidPattern();
  const wildcards = segments.filter((s) => "wildcard" in s).length;
  if (wildcards > MAX_WILDCARDS_PER_SELECTOR) throw tooManyWildcardsInSelector(MAX_WILDCARDS_PER_SELECTOR);
  return { text: cursor.text.slice(start, cursor.position), segments, wildcards };
}

/** A metric value or dimension reference such as `$.latency`; undefined when it is not one. */
export function parseSelector(reference: string): Selector | undefined {
  const cursor = new Cursor(reference);
  try {
    const selector = readSelector(cursor);
    return cursor.atEnd() ? selector : undefined;
  } catch {
    return undefined;
  }
}

/** Every node the selector points at; several through a wildcard, none when a step is absent. */
export function resolve(selector: Selector, root: unknown): unknown[] {
  let nodes: unknown[] = [root];
  for (const segment of selector.segments) nodes = nodes.flatMap((node) => step(node, segment));
  return nodes;
}

function step(node: unknown, segment: Segment): unknown[] {
  if (node === null || typeof node !== "object" || !isContainer(node)) return [];
  if ("wildcard" in segment) return Object.values(node);
  if ("index" in segment)
    return Array.isArray(node) && segment.index < node.length ? [node[segment.index]] : [];
  return !Array.isArray(node) && Object.hasOwn(node, segment.name)
    ? [(node as Record<string, unknown>)[segment.name]]
    : [];
}

/** Plain objects and arrays; numbers read from events are objects too, but have no properties. */
function isContainer(node: object): boolean {
  return Array.isArray(node) || Object.getPrototypeOf(node) === Object.prototype;
}

function readName(cursor: Cursor, start: number): Segment {
  if (cursor.accept("*")) return { wildcard: true };
  const name = cursor.takeWhile((c) => NAME_CHAR.test(c));
  if (name === "") throw invalidTerm(cursor.text.slice(start, cursor.position + 1));
  return { name };
}

function readBracket(cursor: Cursor): Segment {
  const start = cursor.position;
  cursor.expect("[");
  const quote = cursor.peek();
  if (quote === "'" || quote === '"') return readQuotedName(cursor, quote);
  const inside = cursor.accept("*") ? "*" : cursor.takeWhile((c) => /\d/.test(c));
  if (!cursor.accept("]")) throw invalidTerm(cursor.text.slice(start, cursor.position + 1));
  if (inside === "*") return { wildcard: true };
  if (inside === "" || inside.length > 9) throw invalidPattern();
  return { index: Number(inside) };
}

function readQuotedName(cursor: Cursor, quote: string): Segment {
  cursor.next();
  const name = cursor.takeWhile((c) => c !== quote);
  if (!cursor.accept(quote) || !cursor.accept("]")) throw invalidPattern();
  return { name };
}
