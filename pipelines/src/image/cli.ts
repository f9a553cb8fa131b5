#!/usr/bin/env node
import { fileURLToPath } from "node:url";
import { APP_NAMES, ENVIRONMENT_NAMES, serviceName } from "@platform/env";
import { Command, Option } from "commander";
import { parseCommandLine } from "../command-line.js";
import { ciReporter } from "../pipeline/ci.js";
import { ImageError } from "./errors.js";
import { publishAppImage } from "./publish.js";
import { loadCheckout } from "./repo-root.js";
import { checkoutTarget } from "./target.js";

// npm run image -- <api|media-server> --env <qa|prod> [--tag T] [--no-push] [--target local|aws]
// Exit codes: 0 built (and pushed), 1 failed, 3 bad usage.

export async function main(argv: string[]): Promise<number> {
  const program = new Command("image")
    .description("Build an app image and push it to its environment's repository (<app>-<env>).")
    .argument("<app>", `the app folder: ${APP_NAMES.join(" | ")}`)
    .addOption(
      new Option("--env <env>", "environment whose repository receives the image").choices(ENVIRONMENT_NAMES),
    )
    .option(
      "--tag <tag>",
      "image tag (default: the git commit, with a content suffix when the tree is dirty)",
    )
    .option("--push", "push to the repository (default)")
    .option("--no-push", "build only")
    .addOption(
      new Option("--target <target>", "where to push (default: the AWS configuration, else local)").choices([
        "local",
        "aws",
      ]),
    )
    .option("--stage <dir>", "keep the image's root filesystem in <dir> (the Dockerfile uses this)")
    .option("--commit <sha>", "record this commit instead of asking git (for builds without .git)")
    .option("--build-time <iso>", "record this build time instead of now")
    .option("--json", "print the result as JSON");
  const exit = parseCommandLine(program, argv);
  if (exit !== undefined) return exit;
  const app = program.args[0]!;
  const opts = program.opts<{
    env?: (typeof ENVIRONMENT_NAMES)[number];
    tag?: string;
    push?: boolean;
    target?: string;
    stage?: string;
    commit?: string;
    buildTime?: string;
    json?: boolean;
  }>();
  const usage = (message: string) => {
    process.stderr.write(`image: ${message}\n`);
    return 3;
  };
  if (!(APP_NAMES as readonly string[]).includes(app))
    return usage(`unknown app "${app}" (expected ${APP_NAMES.join(" or ")})`);
  const push = opts.push !== false;
  if (push && !opts.env) return usage("--env <qa|prod> is required to push (or pass --no-push)");
  if (opts.commit !== undefined && !/^(?:[0-9a-f]{7,40}(?:-dirty)?|unknown)$/.test(opts.commit))
    return usage(`--commit "${opts.commit}" is not a git sha`);
  const buildTime = opts.buildTime === undefined ? undefined : new Date(opts.buildTime);
  if (buildTime && Number.isNaN(buildTime.getTime()))
    return usage(`--build-time "${opts.buildTime}" is not an ISO date`);

  const log = (line: string) => process.stderr.write(`[image] ${line}\n`);
  const ci = ciReporter();
  try {
    const checkout = loadCheckout();
    const { repoRoot } = checkout;
    const target = checkoutTarget(opts.target, checkout);
    const result = await publishAppImage({
      repoRoot,
      app,
      push,
      target,
      log,
      ...(opts.env && { repositoryName: serviceName(app as (typeof APP_NAMES)[number], opts.env) }),
      ...(opts.tag && { tag: opts.tag }),
      ...(opts.stage && { stageDir: opts.stage }),
      ...(buildTime && { buildTime }),
      ...(opts.commit && {
        revision: {
          commit: opts.commit,
          shortCommit: opts.commit.slice(0, 12),
          dirty: opts.commit.endsWith("-dirty"),
        },
      }),
    });
    ci.output(`${app}-tag`, result.tag);
    ci.output(`${app}-digest`, result.imageDigest);
    if (result.pinnedUri) ci.output(`${app}-image`, result.pinnedUri);
    if (opts.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else
      process.stdout.write(
        `${result.pinnedUri ?? `${app}:${result.tag} ${result.imageDigest} (not pushed)`}\n`,
      );
    return 0;
  } catch (error) {
    const message = error instanceof ImageError || error instanceof Error ? error.message : String(error);
    ci.problem(message);
    process.stderr.write(`image: ${message}\n`);
    return 1;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
