import { invalidPattern, invalidTerm } from "./errors.js";

// The regex dialect of "Supported regular expressions (regex) syntax" (FilterAndPatternSyntax,
// regex-expressions): alphanumerics, the symbols : _ # = @ / ; , - and the operators
// ^ $ ? [ ] { } | \ * + . — no parentheses, no multi-byte characters. Within that set the
// operators mean what they mean in JavaScript, so a checked expression compiles to a RegExp as is.
// Spaces are accepted too: the page's own alternation example holds one.
const SYMBOLS = ":_#=@/;,- ";
const OPERATORS = "^$?[]{}|\\*+.";
// Escapes of the "\d \s \w" kind are operators' classes; an escaped symbol or operator is itself.
const CLASS_ESCAPES = "dDsSwW";

/** The most regexes a JSON or space-delimited pattern may hold (the page's Quotas note). */
export const MAX_REGEXES_PER_PATTERN = 2;

export function compileRegex(source: string): RegExp {
  if (source === "") throw invalidPattern();
  checkCharacters(source);
  try {
    // Unicode mode, so that an unbalanced `{3,` is an error rather than literal text.
    return new RegExp(unicodeSafe(source), "u");
  } catch {
    throw invalidPattern();
  }
}

/** Unicode mode only admits escaping syntax characters: an escaped symbol becomes its \xhh. */
function unicodeSafe(source: string): string {
  return source.replace(/\\([^A-Za-z0-9])/g, (escaped, char: string) =>
    OPERATORS.includes(char) ? escaped : `\\x${char.charCodeAt(0).toString(16).padStart(2, "0")}`,
  );
}

function checkCharacters(source: string): void {
  for (let i = 0; i < source.length; i++) {
    const char = source[i] ?? "";
    if (char === "\\") {
      checkEscape(source, i);
      i += source[i + 1] === "x" ? 3 : 1;
    } else if (!isAllowed(char)) {
      throw invalidTerm(char);
    }
  }
}

function checkEscape(source: string, at: number): void {
  const escaped = source[at + 1] ?? "";
  if (escaped === "x" && /^[0-9A-Fa-f]{2}$/.test(source.slice(at + 2, at + 4))) return;
  if (
    CLASS_ESCAPES.includes(escaped) ||
    (escaped !== "" && !/[A-Za-z0-9 ]/.test(escaped) && isAllowed(escaped))
  )
    return;
  throw invalidTerm(`\\${escaped}`);
}

function isAllowed(char: string): boolean {
  return /^[A-Za-z0-9]$/.test(char) || SYMBOLS.includes(char) || OPERATORS.includes(char);
}
