import { stripVTControlCharacters } from "node:util";

// The line a failed step's summary quotes. A program's last line is often not why it failed: ecs
// deploy prints its `error:` and then the stopped task's last log lines, and Node ends a crash with
// its version. The reason is the last line that says it is an error; else the last line at all.

const REASON = /^(?:✗\s|error:\s|\w*Error:\s)/;

export function failureReason(lines: readonly string[]): string {
  const plain = lines.map((line) => stripVTControlCharacters(line).trim()).filter(Boolean);
  return plain.findLast((line) => REASON.test(line)) ?? plain.at(-1) ?? "";
}
