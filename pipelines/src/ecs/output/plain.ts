import type { Progress } from "../model/deploy-verdict.js";
import type { Change } from "../model/diff.js";
import type { DeployResult } from "../model/result.js";
import { type ShiftProgress, shiftProgressKey } from "../model/traffic-shift.js";
import { changeLines, progressText, resultLines, shiftText } from "./format.js";
import type { Reporter, Sink } from "./reporter.js";

/**
 * CI logs: one timestamped line per step, and a progress line only when something changed (or
 * every 30 s as a heartbeat) so a log stays readable.
 */
export class PlainReporter implements Reporter {
  private lastProgress = "";
  private lastProgressAt = 0;

  constructor(
    protected readonly sink: Sink,
    private readonly now: () => Date = () => new Date(),
  ) {}

  protected line(text: string): void {
    this.sink.out(`${this.now().toISOString()} ${text}`);
  }

  info(message: string): void {
    this.line(message);
  }

  warn(message: string): void {
    this.line(`WARNING ${message}`);
  }

  changes(title: string, changes: Change[]): void {
    this.line(title);
    for (const line of changeLines(changes)) this.line(`  ${line}`);
  }

  progress(p: Progress): void {
    const { elapsedSeconds: _elapsed, ...state } = p;
    const key = JSON.stringify(state);
    const at = this.now().getTime();
    if (key === this.lastProgress && at - this.lastProgressAt < 30_000) return;
    this.lastProgress = key;
    this.lastProgressAt = at;
    this.line(progressText(p));
  }

  /** As progress: a line when something changed, the bake left once a minute, a heartbeat every 30 s. */
  shift(p: ShiftProgress): void {
    const key = shiftProgressKey(p);
    const at = this.now().getTime();
    if (key === this.lastProgress && at - this.lastProgressAt < 30_000) return;
    this.lastProgress = key;
    this.lastProgressAt = at;
    this.line(shiftText(p));
  }

  result(r: DeployResult): void {
    for (const text of resultLines(r)) this.line(text);
  }

  error(message: string): void {
    this.sink.err(`error: ${message}`);
  }

  close(): void {}
}
