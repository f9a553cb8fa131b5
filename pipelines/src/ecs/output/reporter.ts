import type { Progress } from "../model/deploy-verdict.js";
import type { Change } from "../model/diff.js";
import type { DeployResult } from "../model/result.js";
import type { Redactor } from "../model/secrets.js";
import type { ShiftProgress } from "../model/traffic-shift.js";

/**
 * Where the deploy core tells what happens. The core never formats anything; one Reporter per
 * output style (terminal, CI log, TeamCity, GitHub Actions, JSON) decides how it looks.
 */
export interface Reporter {
  info(message: string): void;
  warn(message: string): void;
  changes(title: string, changes: Change[]): void;
  progress(progress: Progress): void;
  /** A look at a BLUE_GREEN / CANARY / LINEAR deploy: stage, traffic split, green, bake left. */
  shift(progress: ShiftProgress): void;
  result(result: DeployResult): void;
  /** One-line failure that is not a deploy result (bad usage, a failed check). */
  error(message: string): void;
  /** Flushes anything pending (the live view's last frame, the step summary). */
  close(): void;
}

/** Where lines go. Every line passes the redactor first: no secret value reaches a log. */
export interface Sink {
  out(line: string): void;
  err(line: string): void;
}

export function processSink(redactor?: Redactor): Sink {
  const clean = (line: string) => (redactor ? redactor.redact(line) : line);
  return {
    out: (line) => process.stdout.write(`${clean(line)}\n`),
    err: (line) => process.stderr.write(`${clean(line)}\n`),
  };
}

export function memorySink(redactor?: Redactor): Sink & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  const clean = (line: string) => (redactor ? redactor.redact(line) : line);
  return {
    lines,
    errors,
    out: (line) => lines.push(clean(line)),
    err: (line) => errors.push(clean(line)),
  };
}
