import type { Cursor } from "./cursor.js";
import { invalidPattern, invalidTerm } from "./errors.js";
import { compileRegex } from "./regex.js";

// Unstructured patterns ("Using filter patterns to match terms in unstructured log events"): every
// plain term must occur in the message (case-sensitive, anywhere: `ERROR` matches "TERROR" and
// "ERROR_ARGUMENTS"), no `-term` may, and `?term`s match when any of them occurs. "If you combine
// '?' with other filter patterns, all question mark terms will be ignored": `?ERROR ?ARGUMENTS
// REQUEST` is `REQUEST`, `?ERROR ?ARGUMENTS -REQUEST` is `-REQUEST`. A "quoted phrase" is one term
// and a %regex% term is searched for. The page's "Match everything" example, `" "`, is in fact a
// phrase of one space: the real service does not match "plain" or "ERROR-REQUEST" with it.

type Mode = "include" | "exclude" | "any";

export interface Term {
  mode: Mode;
  occursIn(message: string): boolean;
}

export interface TermsPattern {
  kind: "terms";
  terms: Term[];
}

// Characters a term may not hold unless quoted: AWS answers "Invalid character(s) in term" for
// each of the ones seen from it (`[`, `(`, `:`, `,`, `\`, backquote, `*`); the others are syntax
// of the JSON and space-delimited forms.
const NEEDS_QUOTES = /[[\]{}()"':,*\\`!<>&|;%?^~]/;

export function parseTerms(cursor: Cursor): TermsPattern {
  const terms: Term[] = [];
  for (cursor.skipSpaces(); !cursor.atEnd(); cursor.skipSpaces()) terms.push(readTerm(cursor));
  return { kind: "terms", terms };
}

export function matchTerms(pattern: TermsPattern, message: string): boolean {
  const required = pattern.terms.filter((t) => t.mode !== "any");
  if (required.length === 0) return pattern.terms.some((t) => t.occursIn(message));
  return required.every((t) => t.occursIn(message) === (t.mode === "include"));
}

function readTerm(cursor: Cursor): Term {
  const mode: Mode = cursor.accept("-") ? "exclude" : cursor.accept("?") ? "any" : "include";
  const next = cursor.peek();
  if (next === '"') {
    const phrase = cursor.quoted();
    if (phrase === undefined) throw invalidTerm(cursor.restOfWord());
    return { mode, occursIn: (message) => message.includes(phrase) };
  }
  if (next === "%") return regexTerm(mode, compileRegex(cursor.percentDelimited()));
  const word = cursor.takeWhile((c) => !/\s/.test(c));
  if (word === "") throw invalidPattern();
  const invalid = NEEDS_QUOTES.exec(word);
  if (invalid) throw invalidTerm(invalid[0]);
  return { mode, occursIn: (message) => message.includes(word) };
}

function regexTerm(mode: Mode, regex: RegExp): Term {
  return { mode, occursIn: (message) => regex.test(message) };
}
