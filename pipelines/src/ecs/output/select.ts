import { GitHubReporter } from "./github.js";
import { JsonReporter } from "./json.js";
import { PlainReporter } from "./plain.js";
import type { Reporter, Sink } from "./reporter.js";
import { TeamCityReporter } from "./teamcity.js";
import { TtyReporter } from "./tty.js";

export type OutputStyle = "json" | "github" | "teamcity" | "tty" | "plain";

/** --json wins; then the CI the process runs in; then a terminal gets the live view. */
export function outputStyle(json: boolean, env: NodeJS.ProcessEnv, isTty: boolean): OutputStyle {
  if (json) return "json";
  if (env.GITHUB_ACTIONS === "true") return "github";
  if (env.TEAMCITY_VERSION) return "teamcity";
  return isTty && env.CI === undefined ? "tty" : "plain";
}

export function createReporter(style: OutputStyle, sink: Sink, env: NodeJS.ProcessEnv): Reporter {
  switch (style) {
    case "json":
      return new JsonReporter(sink);
    case "github":
      return new GitHubReporter(sink, env.GITHUB_STEP_SUMMARY);
    case "teamcity":
      return new TeamCityReporter(sink);
    case "tty":
      return new TtyReporter((text) => process.stdout.write(text), sink);
    case "plain":
      return new PlainReporter(sink);
  }
}
