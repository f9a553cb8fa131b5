import { UsageError } from "./errors.js";

/**
 * `--test-command "npm run smoke -- --grep 'green only'"` → argv, as a POSIX shell splits words:
 * blanks separate, '…' is literal, "…" keeps blanks (\ escapes " \ $ ` there), \ escapes outside
 * quotes. No expansion of any kind: the words go to spawn as an argv array, never to a shell.
 */
export function splitShellWords(text: string, option = "--test-command"): string[] {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote === "'") {
      if (ch === "'") quote = undefined;
      else word += ch;
      continue;
    }
    if (quote === '"') {
      if (ch === '"') quote = undefined;
      else if (ch === "\\" && i + 1 < text.length && '"\\$`'.includes(text[i + 1]!)) word += text[++i];
      else word += ch;
      continue;
    }
    if (/\s/.test(ch)) {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
      continue;
    }
    inWord = true;
    if (ch === "'" || ch === '"') quote = ch;
    else if (ch === "\\") {
      if (i + 1 >= text.length) throw new UsageError(`${option}: the command ends with a lone backslash`);
      word += text[++i];
    } else word += ch;
  }
  if (quote) throw new UsageError(`${option}: a ${quote} quote is not closed in ${JSON.stringify(text)}`);
  if (inWord) words.push(word);
  if (words.length === 0) throw new UsageError(`${option}: the command is empty`);
  return words;
}
