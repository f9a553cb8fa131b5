import { Cursor } from "./cursor.js";
import { type DelimitedPattern, matchDelimited, parseDelimited } from "./delimited.js";
import { FilterPatternError, type PatternUse } from "./errors.js";
import { type JsonPattern, matchJson, parseJson } from "./json-pattern.js";
import { NOTHING_EXTRACTED, type PatternMatch } from "./match.js";
import { matchTerms, parseTerms, type TermsPattern } from "./terms.js";

// CloudWatch Logs filter patterns, as "Filter pattern syntax for metric filters, subscription
// filters, filter log events, and Live Tail" (FilterAndPatternSyntax) defines them. The first
// character tells the three syntaxes apart: `{` a JSON pattern, `[` a space-delimited one, anything
// else a list of terms; a blank pattern matches every event.

export type FilterPattern = { kind: "all" } | TermsPattern | JsonPattern | DelimitedPattern;

/**
 * Throws FilterPatternError (InvalidParameterException) when the text does not follow the syntax,
 * worded as the operation that uses the pattern words it.
 */
export function parseFilterPattern(
  text: string | undefined,
  use: PatternUse = "metricFilter",
): FilterPattern {
  try {
    return parse(new Cursor((text ?? "").trim()));
  } catch (error) {
    throw error instanceof FilterPatternError ? error.withUse(use) : error;
  }
}

function parse(cursor: Cursor): FilterPattern {
  if (cursor.atEnd()) return { kind: "all" };
  if (cursor.peek() === "{") return parseJson(cursor);
  if (cursor.peek() === "[") return parseDelimited(cursor);
  return parseTerms(cursor);
}

export function matches(pattern: FilterPattern, message: string): boolean {
  return extract(pattern, message) !== undefined;
}

/** The fields a matching event yields, or undefined when it does not match. */
export function extract(pattern: FilterPattern, message: string): PatternMatch | undefined {
  switch (pattern.kind) {
    case "all":
      return NOTHING_EXTRACTED;
    case "terms":
      return matchTerms(pattern, message) ? NOTHING_EXTRACTED : undefined;
    case "json":
      return matchJson(pattern, message);
    case "delimited":
      return matchDelimited(pattern, message);
  }
}
