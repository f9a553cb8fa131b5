import { invalidPattern, invalidTerm, regexCompileFailure } from "./errors.js";

// The regex dialect of "Supported regular expressions (regex) syntax" (FilterAndPatternSyntax):
// alphanumerics, the symbols : _ # = @ / ; , - and the operators ^ $ ? [ ] { } | \ * + . — no
// parentheses, no multi-byte characters — plus \d \D \s \S \w \W and \xhh. Within that set the
// operators mean what they mean in JavaScript, so a checked expression becomes a RegExp almost as
// is: only `{,n}` ("either m or n can be omitted") needs its 0. Spaces are accepted too: the
// page's own `%^starting|^initializing|^shutting down%` holds one.
const SYMBOLS = ":_#=@/;,- ";
const OPERATORS = "^$?[]{}|\\*+.";
const CLASS_ESCAPES = "dDsSwW";

/** The most regexes a JSON or space-delimited pattern may hold (the page's Quotas note). */
export const MAX_REGEXES_PER_PATTERN = 2;

export function compileRegex(source: string): RegExp {
  if (source === "") throw invalidPattern();
  checkCharacters(source);
  try {
    // Unicode mode, so that a malformed expression is an error rather than literal text.
    return new RegExp(javascriptSource(source), "u");
  } catch {
    throw regexCompileFailure();
  }
}

/** AWS names the regex term up to its first unsupported character: `%^(ERROR|WARN)%` → '%^('. */
function checkCharacters(source: string): void {
  for (let i = 0; i < source.length; i++) {
    const char = source[i] ?? "";
    if (char === "\\") {
      const length = escapeLength(source, i);
      if (length === 0) throw invalidTerm(`%${source.slice(0, i + 2)}`);
      i += length - 1;
    } else if (!isAllowed(char)) {
      throw invalidTerm(`%${source.slice(0, i + 1)}`);
    }
  }
}

/** How long the escape at `at` is, or 0 when the dialect has no such escape. */
function escapeLength(source: string, at: number): number {
  const escaped = source[at + 1] ?? "";
  if (escaped === "x") return /^[0-9A-Fa-f]{2}$/.test(source.slice(at + 2, at + 4)) ? 4 : 0;
  if (CLASS_ESCAPES.includes(escaped)) return 2;
  return escaped !== "" && !/[A-Za-z0-9 ]/.test(escaped) && isAllowed(escaped) ? 2 : 0;
}

function isAllowed(char: string): boolean {
  return /^[A-Za-z0-9]$/.test(char) || SYMBOLS.includes(char) || OPERATORS.includes(char);
}

/**
 * Unicode mode only admits escaping syntax characters, so an escaped symbol becomes its \xhh; and
 * `{,n}` becomes `{0,n}`.
 */
function javascriptSource(source: string): string {
  return source
    .replace(/\\([^A-Za-z0-9])/g, (escaped, char: string) =>
      OPERATORS.includes(char) ? escaped : `\\x${char.charCodeAt(0).toString(16).padStart(2, "0")}`,
    )
    .replace(/(^|[^\\])\{,/g, "$1{0,");
}
