import { Cursor } from "./cursor.js";
import { invalidPattern, invalidTerm } from "./errors.js";

// Property selectors of JSON patterns: `$` then `.name` (alphanumerics, `-` and `_`, as the page
// says), `[index]` (zero-based), and the wildcards `.*` / `[*]` for every property or element.

type Segment = { name: string } | { index: number } | { wildcard: true };

export interface Selector {
  text: string;
  segments: Segment[];
  wildcards: number;
}

/** AWS's quota, as the current page states it next to its JSON examples (read second-hand). */
export const MAX_WILDCARDS_PER_SELECTOR = 1;

const NAME_CHAR = /[A-Za-z0-9_-]/;

export function readSelector(cursor: Cursor): Selector {
  const start = cursor.position;
  if (!cursor.accept("$")) throw invalidPattern();
  const segments: Segment[] = [];
  while (cursor.peek() === "." || cursor.peek() === "[") {
    segments.push(cursor.next() === "." ? readName(cursor, start) : readBracket(cursor));
  }
  if (segments.length === 0) throw invalidPattern();
  const wildcards = segments.filter((s) => "wildcard" in s).length;
  if (wildcards > MAX_WILDCARDS_PER_SELECTOR) throw invalidPattern();
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
  if (node === null || typeof node !== "object") return [];
  if ("wildcard" in segment) return Object.values(node);
  if ("index" in segment)
    return Array.isArray(node) && segment.index < node.length ? [node[segment.index]] : [];
  return !Array.isArray(node) && Object.hasOwn(node, segment.name)
    ? [(node as Record<string, unknown>)[segment.name]]
    : [];
}

function readName(cursor: Cursor, start: number): Segment {
  if (cursor.accept("*")) return { wildcard: true };
  const name = cursor.takeWhile((c) => NAME_CHAR.test(c));
  if (name === "") {
    // AWS names the selector up to the offending character: `$."sc-status"` → '$."'.
    throw invalidTerm(cursor.text.slice(start, cursor.position + 1));
  }
  return { name };
}

function readBracket(cursor: Cursor): Segment {
  const inside = cursor.takeWhile((c) => c !== "]");
  if (!cursor.accept("]")) throw invalidPattern();
  if (inside === "*") return { wildcard: true };
  if (!/^\d{1,9}$/.test(inside)) throw invalidPattern();
  return { index: Number(inside) };
}
