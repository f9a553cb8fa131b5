import { appendFileSync } from "node:fs";

// What the CI server sees: TeamCity service messages when TEAMCITY_VERSION is set, GitHub Actions
// workflow commands and step outputs when GITHUB_ACTIONS is set, nothing extra elsewhere.

export type CiKind = "teamcity" | "github" | "none";

export function detectCi(env: NodeJS.ProcessEnv = process.env): CiKind {
  if (env.TEAMCITY_VERSION) return "teamcity";
  if (env.GITHUB_ACTIONS === "true") return "github";
  return "none";
}

/** TeamCity's escaping for service message values. */
export function teamcityEscape(value: string): string {
  return value.replace(
    /[|'[\]\n\r]/g,
    (c) => ({ "|": "||", "'": "|'", "[": "|[", "]": "|]", "\n": "|n", "\r": "|r" })[c]!,
  );
}

/** One TeamCity service message, `##teamcity[name key='value' ...]`, every value escaped. */
export function teamcityMessage(name: string, attributes: Record<string, string>): string {
  const pairs = Object.entries(attributes).map(([key, value]) => ` ${key}='${teamcityEscape(value)}'`);
  return `##teamcity[${name}${pairs.join("")}]`;
}

/**
 * A line a child tool meant for the CI server (a TeamCity service message, a GitHub workflow
 * command): relayed as it is, since GitHub reads commands only at the start of a line.
 */
export function isCiCommand(line: string): boolean {
  return line.startsWith("##teamcity[") || /^::[a-z-]+( |::)/.test(line);
}

/** GitHub's escaping for workflow command data. */
function githubEscape(value: string): string {
  return value.replaceAll("%", "%25").replaceAll("\r", "%0D").replaceAll("\n", "%0A");
}

export interface CiReporter {
  kind: CiKind;
  /** A value later steps or builds read: a TeamCity parameter, a GitHub step output. */
  output(name: string, value: string): void;
  blockStart(name: string): void;
  blockEnd(name: string): void;
  problem(message: string): void;
}

export function ciReporter(
  env: NodeJS.ProcessEnv = process.env,
  write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): CiReporter {
  const kind = detectCi(env);
  const githubOutput = env.GITHUB_OUTPUT;
  return {
    kind,
    output(name, value) {
      if (kind === "teamcity") write(teamcityMessage("setParameter", { name, value }));
      if (kind === "github" && githubOutput) appendFileSync(githubOutput, `${name}=${value}\n`);
    },
    blockStart(name) {
      if (kind === "teamcity") write(teamcityMessage("blockOpened", { name }));
      if (kind === "github") write(`::group::${githubEscape(name)}`);
    },
    blockEnd(name) {
      if (kind === "teamcity") write(teamcityMessage("blockClosed", { name }));
      if (kind === "github") write("::endgroup::");
    },
    problem(message) {
      if (kind === "teamcity")
        write(teamcityMessage("buildProblem", { description: message.slice(0, 4000) }));
      if (kind === "github") write(`::error::${githubEscape(message)}`);
    },
  };
}
