import type { Progress } from "../model/deploy-verdict.js";
import type { Change } from "../model/diff.js";
import type { DeployResult } from "../model/result.js";
import type { ShiftProgress } from "../model/traffic-shift.js";
import type { Reporter, Sink } from "./reporter.js";

/** --json: stdout carries one JSON document at the end; human notes go to stderr. */
export class JsonReporter implements Reporter {
  private changeList: Change[] = [];

  constructor(private readonly sink: Sink) {}

  info(message: string): void {
    this.sink.err(message);
  }

  warn(message: string): void {
    this.sink.err(`warning: ${message}`);
  }

  changes(_title: string, changes: Change[]): void {
    this.changeList = changes;
  }

  progress(_p: Progress): void {}

  shift(_p: ShiftProgress): void {}

  result(r: DeployResult): void {
    this.sink.out(
      JSON.stringify({ ...r, changes: r.changes.length > 0 ? r.changes : this.changeList }, null, 2),
    );
  }

  error(message: string): void {
    this.sink.out(JSON.stringify({ error: message }));
  }

  close(): void {}
}
