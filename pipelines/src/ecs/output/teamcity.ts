import type { Progress } from "../model/deploy-verdict.js";
import type { Change } from "../model/diff.js";
import type { DeployResult } from "../model/result.js";
import { type ShiftProgress, shiftProgressKey } from "../model/traffic-shift.js";
import { changeLines, failureLines, headline, progressText, shiftText } from "./format.js";
import type { Reporter, Sink } from "./reporter.js";

/** TeamCity service-message escaping: | ' [ ] and line breaks, non-ASCII as |0xXXXX. */
export function teamcityEscape(text: string): string {
  let out = "";
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (ch === "|") out += "||";
    else if (ch === "'") out += "|'";
    else if (ch === "[") out += "|[";
    else if (ch === "]") out += "|]";
    else if (ch === "\n") out += "|n";
    else if (ch === "\r") out += "|r";
    else if (code > 0x7f) out += code > 0xffff ? ch : `|0x${code.toString(16).padStart(4, "0")}`;
    else out += ch;
  }
  return out;
}

function message(name: string, attributes: Record<string, string>): string {
  const attrs = Object.entries(attributes)
    .map(([k, v]) => `${k}='${teamcityEscape(v)}'`)
    .join(" ");
  return `##teamcity[${name} ${attrs}]`;
}

/** TeamCity (TEAMCITY_VERSION set): progress messages, blocks, build problems, parameters. */
export class TeamCityReporter implements Reporter {
  private lastProgress = "";

  constructor(private readonly sink: Sink) {}

  info(text: string): void {
    this.sink.out(`##teamcity[progressMessage '${teamcityEscape(text)}']`);
  }

  warn(text: string): void {
    this.sink.out(message("message", { text, status: "WARNING" }));
  }

  changes(title: string, changes: Change[]): void {
    this.sink.out(message("blockOpened", { name: title }));
    for (const line of changeLines(changes)) this.sink.out(message("message", { text: line }));
    this.sink.out(message("blockClosed", { name: title }));
  }

  progress(p: Progress): void {
    const { elapsedSeconds: _elapsed, ...state } = p;
    const key = JSON.stringify(state);
    if (key === this.lastProgress) return;
    this.lastProgress = key;
    this.info(progressText(p));
  }

  /** A progress message when the stage, the split or green changed (the bake left once a minute). */
  shift(p: ShiftProgress): void {
    const key = shiftProgressKey(p);
    if (key === this.lastProgress) return;
    this.lastProgress = key;
    this.info(shiftText(p));
  }

  result(r: DeployResult): void {
    if (r.serviceDeploymentArn) {
      this.sink.out(
        message("setParameter", { name: "env.ECS_SERVICE_DEPLOYMENT_ARN", value: r.serviceDeploymentArn }),
      );
    }
    if (r.hookId) this.sink.out(message("setParameter", { name: "env.ECS_HOOK_ID", value: r.hookId }));
    if (r.taskDefinition) {
      this.sink.out(
        message("setParameter", { name: "env.ECS_DEPLOYED_TASK_DEFINITION", value: r.taskDefinition }),
      );
    }
    if (r.exitCode === 0) {
      this.sink.out(message("message", { text: headline(r) }));
      return;
    }
    const details = failureLines(r).join("\n");
    this.sink.out(message("message", { text: headline(r), errorDetails: details, status: "ERROR" }));
    this.sink.out(
      message("buildProblem", { description: headline(r).slice(0, 4000), identity: identity(r) }),
    );
  }

  error(text: string): void {
    this.sink.out(message("buildProblem", { description: text, identity: "ecs-deploy-usage" }));
  }

  close(): void {}
}

/** A stable identity per service, so TeamCity tracks "this service's deploy fails" across builds. */
function identity(r: DeployResult): string {
  return `ecs-deploy-${r.cluster}-${r.service}`.replace(/[^A-Za-z0-9-]/g, "-").slice(0, 60);
}
