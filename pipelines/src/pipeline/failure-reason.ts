import { stripVTControlCharacters } from "node:util";

// The line a failed step's summary quotes. A program's last line is often not why it failed: ecs
// deploy prints its verdict ("Deploy of … FAILED: …") and then the stopped tasks' last log lines,
// and Node ends a crash with its version. So: the verdict if there is one, else the last line that
// says it is an error, else the last line at all; without the timestamp ecs puts before each line.

const TIMESTAMP = /^\d{4}-\d\d-\d\dT[\d:.]+Z\s+/;
const VERDICT = /\bFAILED: /;
const ERROR = /^(?:✗\s|error:\s|\w*Error:\s)/;

export function failureReason(lines: readonly string[]): string {
  const plain = lines
    .map((line) => stripVTControlCharacters(line).trim().replace(TIMESTAMP, ""))
    .filter(Boolean);
  return (
    plain.findLast((line) => VERDICT.test(line)) ??
    plain.findLast((line) => ERROR.test(line)) ??
    plain.at(-1) ??
    ""
  );
}
