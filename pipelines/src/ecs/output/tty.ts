import { formatBakeTime } from "../model/bake-time.js";
import type { Progress } from "../model/deploy-verdict.js";
import type { Change } from "../model/diff.js";
import type { DeployResult } from "../model/result.js";
import { type ShiftProgress, shortDeploymentId } from "../model/traffic-shift.js";
import { changeLines, resultLines } from "./format.js";
import type { Reporter, Sink } from "./reporter.js";

const UP = (n: number) => `\u001b[${n}A`;
const CLEAR_LINE = "\u001b[2K";
const bold = (s: string) => `\u001b[1m${s}\u001b[22m`;
const red = (s: string) => `\u001b[31m${s}\u001b[39m`;
const green = (s: string) => `\u001b[32m${s}\u001b[39m`;
const yellow = (s: string) => `\u001b[33m${s}\u001b[39m`;

/** A terminal: steps scroll, and a live block of progress lines is redrawn in place under them. */
export class TtyReporter implements Reporter {
  private block: string[] = [];

  constructor(
    private readonly write: (text: string) => void,
    private readonly sink: Sink,
    private readonly columns: () => number = () => process.stdout.columns || 100,
  ) {}

  private clearBlock(): void {
    if (this.block.length === 0) return;
    this.write(UP(this.block.length));
    for (let i = 0; i < this.block.length; i++) this.write(`${CLEAR_LINE}\n`);
    this.write(UP(this.block.length));
    this.block = [];
  }

  private scroll(lines: string[]): void {
    const block = this.block;
    this.clearBlock();
    for (const line of lines) this.sink.out(line);
    this.drawBlock(block);
  }

  private drawBlock(lines: string[]): void {
    const width = Math.max(20, this.columns() - 1);
    this.block = lines.map((l) => (l.length > width ? `${l.slice(0, width - 1)}…` : l));
    for (const line of this.block) this.sink.out(line);
  }

  info(message: string): void {
    this.scroll([message]);
  }

  warn(message: string): void {
    this.scroll([yellow(`warning: ${message}`)]);
  }

  changes(title: string, changes: Change[]): void {
    this.scroll([bold(title), ...changeLines(changes).map((l) => `  ${l}`)]);
  }

  progress(p: Progress): void {
    const t = p.targets;
    this.clearBlock();
    this.drawBlock([
      `${bold("deployment")} ${p.deploymentId}  ${p.rolloutState}  ${p.elapsedSeconds}s`,
      `  tasks    ${p.pending} pending  ${p.running}/${p.desired} running  ${p.failedTasks} failed`,
      `  targets  ${t.initial} initial  ${t.healthy} healthy  ${t.unhealthy} unhealthy  ${t.draining} draining`,
      `  last event  ${p.lastEvent ?? "-"}`,
    ]);
  }

  shift(p: ShiftProgress): void {
    const split =
      p.productionGreenPercent === undefined
        ? "production split unknown"
        : `production ${p.productionGreenPercent}% green`;
    const test =
      p.testOnGreen === undefined ? "" : `  test listener ${p.testOnGreen ? "on green" : "on blue"}`;
    const healthy = p.green.healthyTargets === undefined ? "" : `  ${p.green.healthyTargets} healthy targets`;
    const bake = p.bakeSecondsLeft === undefined ? "" : `  bake ${formatBakeTime(p.bakeSecondsLeft)} left`;
    this.clearBlock();
    this.drawBlock([
      `${bold(p.strategy)} ${shortDeploymentId(p.serviceDeploymentArn)}  ${p.status}  ${bold(p.stage)}  ${p.elapsedSeconds}s${bake}`,
      `  traffic  ${split}${test}`,
      `  green    ${p.green.running}/${p.green.desired} running${healthy}${p.pausedHookId ? `  paused at hook ${p.pausedHookId}` : ""}`,
      `  rollback ${p.rollbackTriggers.length > 0 ? `on ${p.rollbackTriggers.join(" or ")}` : "only by hand (ecs rollback)"}`,
    ]);
  }

  /** The verdict replaces the live block: nothing is redrawn under it. */
  result(r: DeployResult): void {
    const [first, ...rest] = resultLines(r);
    const colour = r.exitCode === 0 ? green : red;
    this.clearBlock();
    for (const line of [colour(first ?? ""), ...rest]) this.sink.out(line);
  }

  error(message: string): void {
    this.clearBlock();
    this.sink.err(red(`error: ${message}`));
  }

  close(): void {
    this.block = [];
  }
}
