import { type Condition, parseCondition } from "./condition.js";
import type { Cursor } from "./cursor.js";
import { duplicateField, invalidPattern, tooManyRegexes } from "./errors.js";
import { checkComparison, compare, fieldScalar, type Literal, readLiteral, readOperator } from "./literal.js";
import type { PatternMatch } from "./match.js";
import { MAX_REGEXES_PER_PATTERN } from "./regex.js";

// Space-delimited patterns ("Using filter patterns to match terms in space-delimited log events"):
// `[a, b = 4*, ...]`, one entry per field, in order. Fields are split on spaces and tabs; text
// between double quotes or square brackets is one field (an unclosed quote is just a character).
// An entry is a name, a name with conditions (`status_code = 404 || status_code = 410`), empty (an
// unnamed field) or `...` (any number of fields, none included). Without `...` the last entry
// takes the rest of the line: that is why `[w1=ERROR, w2]` matches a line of any length and why
// the page asks for "a blank indicator" after the last term. Extracted values name the named
// fields and number the others, `$1` first — all as the real service reports them.

interface Entry {
  /** As written, for extracted values; `key` is the same in lower case, for look-ups. */
  name?: string;
  key?: string;
  condition?: Condition<Fields>;
}

interface Fields {
  values: string[];
  byName: Map<string, string>;
}

export interface DelimitedPattern {
  kind: "delimited";
  before: Entry[];
  /** Entries after the ellipsis; undefined when the pattern has none. */
  after?: Entry[];
}

// CDK's spaceDelimited() admits hyphens too; a name of digits only would read as a position.
const NAME = /^(?!\d+$)[A-Za-z0-9_-]+$/;
const NAME_CHAR = /[A-Za-z0-9_-]/;
const LITERAL_ENDS = ",]&|)";

export function parseDelimited(cursor: Cursor): DelimitedPattern {
  cursor.expect("[");
  const literals: Literal[] = [];
  const pattern: DelimitedPattern = { kind: "delimited", before: [] };
  cursor.skipSpaces();
  if (cursor.accept("]")) return finish(cursor, { kind: "delimited", before: [], after: [] }, literals);
  do {
    cursor.skipSpaces();
    if (cursor.accept("...")) {
      if (pattern.after) throw duplicateField("...");
      pattern.after = [];
    } else {
      (pattern.after ?? pattern.before).push(readEntry(cursor, literals));
    }
    cursor.skipSpaces();
  } while (cursor.accept(","));
  cursor.expect("]");
  return finish(cursor, pattern, literals);
}

export function matchDelimited(pattern: DelimitedPattern, message: string): PatternMatch | undefined {
  const fields = bind(pattern, message);
  if (!fields) return undefined;
  for (const entry of [...pattern.before, ...(pattern.after ?? [])]) {
    if (entry.condition && !entry.condition(fields)) return undefined;
  }
  return { extractedValues: extracted(pattern, fields), value: (reference) => fieldValue(fields, reference) };
}

function finish(cursor: Cursor, pattern: DelimitedPattern, literals: Literal[]): DelimitedPattern {
  cursor.skipSpaces();
  if (!cursor.atEnd()) throw invalidPattern();
  if (literals.filter((l) => l.kind === "regex").length > MAX_REGEXES_PER_PATTERN) {
    throw tooManyRegexes(MAX_REGEXES_PER_PATTERN);
  }
  const seen = new Set<string>();
  for (const entry of [...pattern.before, ...(pattern.after ?? [])]) {
    if (!entry.key) continue;
    if (seen.has(entry.key)) throw duplicateField(entry.name!);
    seen.add(entry.key);
  }
  return pattern;
}

function readEntry(cursor: Cursor, literals: Literal[]): Entry {
  if (cursor.peek() === "," || cursor.peek() === "]") return {};
  const start = cursor.position;
  const name = cursor.takeWhile((c) => NAME_CHAR.test(c));
  cursor.skipSpaces();
  if (NAME.test(name) && (cursor.peek() === "," || cursor.peek() === "]")) return named(name);
  cursor.rewind(start);
  const referenced: string[] = [];
  const condition = parseCondition(cursor, (c) => readComparison(c, referenced, literals));
  // Conditions in an entry are about that entry's field; the page's own `w1=ERROR || W1=WARNING`
  // shows the name compared without regard to case.
  if (new Set(referenced.map((n) => n.toLowerCase())).size !== 1) throw invalidPattern();
  return { ...named(referenced[0]!), condition };
}

function named(name: string): Entry {
  return { name, key: name.toLowerCase() };
}

function readComparison(cursor: Cursor, referenced: string[], literals: Literal[]): Condition<Fields> {
  cursor.skipSpaces();
  const name = cursor.takeWhile((c) => NAME_CHAR.test(c));
  if (!NAME.test(name)) throw invalidPattern();
  referenced.push(name);
  cursor.skipSpaces();
  const op = readOperator(cursor);
  const literal = readLiteral(cursor, LITERAL_ENDS);
  checkComparison(op, literal);
  literals.push(literal);
  return (fields) => compare(op, literal, fieldScalar(fields.byName.get(name.toLowerCase()) ?? ""));
}

function bind(pattern: DelimitedPattern, message: string): Fields | undefined {
  const { before, after } = pattern;
  const values = splitFields(message, after ? undefined : before.length);
  const entries = after ? [...before, ...after] : before;
  if (values.length < entries.length) return undefined;
  const byName = new Map<string, string>();
  for (const [i, entry] of positions(pattern, values.length))
    if (entry.key) byName.set(entry.key, values[i]!);
  return { values, byName };
}

/**
 * Splits on whitespace, "quoted" and [bracketed] runs being single fields without their
 * delimiters. With a limit, the field at that position takes the rest of the line.
 */
export function splitFields(message: string, limit?: number): string[] {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    while (i < message.length && /\s/.test(message[i]!)) i++;
    if (i >= message.length) return fields;
    if (limit !== undefined && fields.length === limit - 1) return [...fields, lastField(message.slice(i))];
    const [value, end] = readField(message, i);
    fields.push(value);
    i = end;
  }
}

function readField(message: string, start: number): [string, number] {
  const close = message[start] === '"' ? '"' : message[start] === "[" ? "]" : undefined;
  const end = close ? message.indexOf(close, start + 1) : -1;
  if (end >= 0) return [message.slice(start + 1, end), end + 1];
  return readWord(message, start);
}

function readWord(message: string, start: number): [string, number] {
  let end = start;
  while (end < message.length && !/\s/.test(message[end]!)) end++;
  return [message.slice(start, end), end];
}

/** The rest of the line, unwrapped when it is one quoted or bracketed field. */
function lastField(rest: string): string {
  const trimmed = rest.trimEnd();
  const [value, end] = readField(trimmed, 0);
  return end === trimmed.length ? value : trimmed;
}

function extracted(pattern: DelimitedPattern, fields: Fields): Record<string, string> {
  const entries = new Map(positions(pattern, fields.values.length));
  return Object.fromEntries(fields.values.map((value, i) => [`$${entries.get(i)?.name ?? i + 1}`, value]));
}

/** The field position of every entry: the ones after `...` count from the end of the line. */
function positions(pattern: DelimitedPattern, fieldCount: number): [number, Entry][] {
  const offset = fieldCount - (pattern.after?.length ?? 0);
  return [
    ...pattern.before.map((entry, i): [number, Entry] => [i, entry]),
    ...(pattern.after ?? []).map((entry, i): [number, Entry] => [offset + i, entry]),
  ];
}

function fieldValue(fields: Fields, reference: string): string | undefined {
  if (!reference.startsWith("$")) return undefined;
  const key = reference.slice(1);
  if (/^\d+$/.test(key)) return fields.values[Number(key) - 1];
  return fields.byName.get(key.toLowerCase());
}
