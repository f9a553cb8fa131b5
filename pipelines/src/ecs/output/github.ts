import { appendFileSync } from "node:fs";
import type { Change } from "../model/diff.js";
import type { DeployResult } from "../model/result.js";
import { changeLines, failureLines, headline } from "./format.js";
import { PlainReporter } from "./plain.js";
import type { Reporter, Sink } from "./reporter.js";

/** Workflow-command escaping of a message: %, CR, LF. */
export function githubEscapeData(text: string): string {
  return text.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

/** Workflow-command escaping of a property value: also : and ,. */
export function githubEscapeProperty(text: string): string {
  return githubEscapeData(text).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

/**
 * GitHub Actions (GITHUB_ACTIONS=true): the progress in a collapsible group of plain timestamped
 * lines, the verdict as a notice or error annotation, and a markdown step summary.
 */
export class GitHubReporter implements Reporter {
  private readonly plain: PlainReporter;
  private groupOpen = false;
  private readonly summary: string[] = [];

  constructor(
    private readonly sink: Sink,
    private readonly summaryFile: string | undefined,
    now?: () => Date,
  ) {
    this.plain = new PlainReporter(sink, now);
  }

  private openGroup(): void {
    if (this.groupOpen) return;
    this.sink.out("::group::ecs deploy progress");
    this.groupOpen = true;
  }

  private closeGroup(): void {
    if (!this.groupOpen) return;
    this.sink.out("::endgroup::");
    this.groupOpen = false;
  }

  info(message: string): void {
    this.openGroup();
    this.plain.info(message);
  }

  warn(message: string): void {
    this.sink.out(`::warning title=ecs deploy::${githubEscapeData(message)}`);
  }

  changes(title: string, changes: Change[]): void {
    this.openGroup();
    this.plain.changes(title, changes);
    this.summary.push(`#### ${title}`, "", "```diff", ...changeLines(changes), "```", "");
  }

  progress(p: Parameters<Reporter["progress"]>[0]): void {
    this.openGroup();
    this.plain.progress(p);
  }

  shift(p: Parameters<Reporter["shift"]>[0]): void {
    this.openGroup();
    this.plain.shift(p);
  }

  result(r: DeployResult): void {
    this.closeGroup();
    const title = githubEscapeProperty(`ecs deploy ${r.service}`);
    const causes = failureLines(r);
    const text = [headline(r), ...causes].join("\n");
    const kind = r.exitCode === 0 ? "notice" : "error";
    this.sink.out(`::${kind} title=${title}::${githubEscapeData(text)}`);
    this.summary.unshift(`### ${r.exitCode === 0 ? "✅" : "❌"} ${headline(r)}`, "");
    if (causes.length > 0) this.summary.push("```", ...causes, "```", "");
  }

  error(message: string): void {
    this.closeGroup();
    this.sink.out(`::error title=ecs::${githubEscapeData(message)}`);
  }

  close(): void {
    this.closeGroup();
    if (this.summaryFile && this.summary.length > 0)
      appendFileSync(this.summaryFile, `${this.summary.join("\n")}\n`);
  }
}
