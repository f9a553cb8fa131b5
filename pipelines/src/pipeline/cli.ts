#!/usr/bin/env node
import { spawn } from "node:child_process";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { SNSClient } from "@aws-sdk/client-sns";
import { SSMClient } from "@aws-sdk/client-ssm";
import { APP_NAMES, type AppName, AwsSecretLocator, environmentHost, type PlatformSpec } from "@platform/env";
import { Command, Option } from "commander";
import { parseCommandLine } from "../command-line.js";
import { ImageError } from "../image/errors.js";
import { loadCheckout } from "../image/repo-root.js";
import { awsClientConfig, awsEnvironment, checkoutTarget, ecrClient, type Target } from "../image/target.js";
import { branchStages } from "./branching.js";
import { ciReporter, isCiCommand } from "./ci.js";
import type { PipelineContext, ProgramRunner } from "./context.js";
import { failureReason } from "./failure-reason.js";
import type { Notify } from "./notices/events.js";
import { changesSince, commitSubject } from "./notices/git-log.js";
import { pipelineNotifier } from "./notices/notifier.js";
import { publishNotice, snsClient } from "./notices/publish.js";
import { environmentRedactor } from "./notices/redact.js";
import { servedCommit } from "./notices/served-commit.js";
import { PlanError, planStages } from "./plan.js";
import { runPipeline } from "./runner.js";
import { currentBranch, sourceMismatch } from "./source-tree.js";
import { CI_TEST_COMMAND, DEPLOY_TIMEOUT_SECONDS, STAGE_NAMES } from "./stages.js";
import { checkExpectedDigests, readState } from "./state-file.js";

// npm run pipeline -- [--from S] [--to S] [--only S,S] [--skip S,S] [--apps api,media-server]
//                     [--state FILE] [--target local|aws] [--tag T] [--test-command "npm test"]
//                     [--no-notify] [--lb-url URL] [--approve]
//                     [--no-notify]
// Exit codes: 0 every selected stage passed, 1 a stage failed, 3 bad usage.

const list = (value: string) =>
  value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

export async function main(argv: string[]): Promise<number> {
  const program = new Command("pipeline")
    .description(`${STAGE_NAMES.join(" → ")}\nstages: ${STAGE_NAMES.join(", ")}`)
    .option("--from <stage>", "first stage to run")
    .option("--to <stage>", "last stage to run")
    .option("--only <stages>", "run only these stages (comma-separated)", list)
    .option("--skip <stages>", "skip these stages (comma-separated)", list)
    .option("--apps <apps>", `apps to ship, in deploy order (default: ${APP_NAMES.join(",")})`, list)
    .option(
      "--state <file>",
      "pipeline state file carried between stages and CI jobs",
      ".pipeline/state.json",
    )
    .addOption(
      new Option("--target <target>", "local region or AWS (default: as the AWS configuration says)").choices(
        ["local", "aws"],
      ),
    )
    .option("--tag <tag>", "image tag (default: the git commit)")
    .option("--expect <app=digest,...>", "refuse to run unless the state records these image digests", list)
    .option(
      "--test-command <command>",
      "the test stage's command, split on spaces (no shell); the default is CI's, with coverage",
      CI_TEST_COMMAND,
    )
    .option("--deploy-timeout <seconds>", "ecs deploy --timeout", String(DEPLOY_TIMEOUT_SECONDS))
    .option("--approve", "approve the release to prod (the approve stage fails without it)")
    .option(
      "--branch <name>",
      "the branch this run is for (default: the current git branch); gitflow runs its stages only",
    )
    .option("--no-notify", "tell nobody: no notices to the environments' e-mail topics")
    .option(
      "--lb-url <url>",
      "load balancer base URL for verification (default: local http://127.0.0.1:<httpPort>, AWS https://<host>)",
    );
  const exit = parseCommandLine(program, argv);
  if (exit !== undefined) return exit;
  const opts = program.opts<{
    from?: string;
    to?: string;
    only?: string[];
    skip?: string[];
    apps?: string[];
    state: string;
    target?: string;
    tag?: string;
    expect?: string[];
    testCommand: string;
    deployTimeout: string;
    lbUrl?: string;
    approve?: boolean;
    notify: boolean;
    branch?: string;
  }>();
  const usage = (message: string) => {
    process.stderr.write(`pipeline: ${message}\n`);
    return 3;
  };
  const apps = opts.apps ?? [...APP_NAMES];
  const unknown = apps.filter((a) => !(APP_NAMES as readonly string[]).includes(a));
  if (unknown.length > 0 || apps.length === 0)
    return usage(`--apps: unknown app ${unknown.join(", ")} (apps: ${APP_NAMES.join(", ")})`);
  const timeout = Number(opts.deployTimeout);
  if (!Number.isInteger(timeout) || timeout < 1)
    return usage(`--deploy-timeout ${opts.deployTimeout} is not a number of seconds`);

  const ci = ciReporter();
  const log = (line: string) => process.stdout.write(`${line}\n`);
  try {
    const checkout = loadCheckout();
    const { repoRoot, spec } = checkout;
    const target = checkoutTarget(opts.target, checkout);
    const stateFile = resolve(repoRoot, opts.state);
    const state = readState(stateFile);
    checkExpectedDigests(state, opts.expect ?? []);
    const only = branchSelection(repoRoot, spec, opts.branch, opts.only, state.commit, log);
    if (only === "nothing") return 0;
    const plan = planStages({ ...opts, ...(only && { only }) }, new Set(state.facts));
    let ecr: ReturnType<typeof ecrClient> | undefined;
    const ctx: PipelineContext = {
      repoRoot,
      spec,
      target,
      apps: apps as AppName[],
      log,
      ci,
      testCommand: opts.testCommand.split(/\s+/).filter(Boolean),
      ...(opts.tag && { tag: opts.tag }),
      ecr: () => {
        ecr ??= ecrClient(target);
        return ecr;
      },
      secretLocator: () => {
        const config = awsClientConfig(target);
        return new AwsSecretLocator(new SSMClient(config), new SecretsManagerClient(config));
      },
      run: spawnProgram(repoRoot, log),
      awsEnv: () => childAwsEnv(target),
      deployTimeoutSeconds: timeout,
      approved: opts.approve === true,
      verify: {
        endpoint: (env) => verifyEndpoint(spec, target, env, opts.lbUrl),
        testEndpoint: (env) => testListenerEndpoint(spec, target, env),
        requiredRounds: 3,
        maxRounds: 30,
        intervalMs: 1000,
      },
      ...(opts.notify && {
        notify: cliNotifier(repoRoot, spec, target, (env) => verifyEndpoint(spec, target, env, opts.lbUrl)),
      }),
      now: Date.now,
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    };
    log(
      `pipeline: ${target.kind === "local" ? `local region ${target.endpoint}` : `AWS ${target.region}`}, apps ${apps.join(", ")}, state ${opts.state}`,
    );
    const result = await runPipeline(ctx, { plan, state, stateFile });
    return result.outcome === "succeeded" ? 0 : 1;
  } catch (error) {
    if (error instanceof PlanError) return usage(error.message);
    const message = error instanceof ImageError || error instanceof Error ? error.message : String(error);
    ci.problem(message);
    process.stderr.write(`pipeline: ${message}\n`);
    return 1;
  }
}

/**
 * Gitflow: the branch's stages only (intersected with --only), and main only on the source qa verified.
 * Trunk-based: every branch may run any stage locally, as before; CI runs main.
 */
function branchSelection(
  repoRoot: string,
  spec: PlatformSpec,
  explicit: string | undefined,
  only: string[] | undefined,
  verifiedCommit: string | undefined,
  log: (line: string) => void,
): string[] | "nothing" | undefined {
  if (spec.pipeline.branching !== "gitflow") return undefined;
  const branch = explicit ?? currentBranch(repoRoot);
  if (!branch) throw new PlanError("gitflow: no current branch (detached HEAD): pass --branch");
  const rule = branchStages(spec.pipeline, branch);
  log(`pipeline: ${rule.why}`);
  if (!rule.runs) return "nothing";
  const selected = only ? rule.stages.filter((s) => only.includes(s)) : rule.stages;
  if (selected.length === 0) throw new PlanError(`--only ${only?.join(",")}: none of ${branch}'s stages`);
  if (branch === spec.pipeline.branches.main) {
    const mismatch = sourceMismatch(repoRoot, verifiedCommit);
    if (mismatch) throw new Error(`gitflow: ${mismatch}`);
  }
  return selected;
}

/** Notices through the target's SNS (the local region's outbox locally). */
function cliNotifier(
  repoRoot: string,
  spec: PlatformSpec,
  target: Target,
  endpoint: (env: "qa" | "prod") => { baseUrl: string; host: string },
): Notify {
  let sns: SNSClient | undefined;
  return pipelineNotifier({
    spec,
    target,
    servedCommit: (env) => servedCommit(endpoint(env)),
    changesSince: (prodCommit, commit) => changesSince(repoRoot, prodCommit, commit),
    commitSubject: (commit) => commitSubject(repoRoot, commit),
    redact: environmentRedactor(process.env),
    send: async (notice) => {
      sns ??= snsClient(target);
      await publishNotice(sns, notice);
    },
  });
}

/** Verification goes through the load balancer with the environment's Host header. */
export function verifyEndpoint(
  spec: PlatformSpec,
  target: Target,
  env: "qa" | "prod",
  lbUrl?: string,
): { baseUrl: string; host: string } {
  if (target.kind === "local") {
    const host = environmentHost(spec, env, spec.local.domain) ?? spec.local.domain;
    return { baseUrl: lbUrl ?? `http://127.0.0.1:${spec.local.httpPort}`, host };
  }
  const host = environmentHost(spec, env) ?? spec.domain;
  return { baseUrl: lbUrl ?? `https://${host}`, host };
}

/** The test listener: locally its HTTP port; on AWS its own port on the environment's name. */
export function testListenerEndpoint(
  spec: PlatformSpec,
  target: Target,
  env: "qa" | "prod",
): { baseUrl: string; host: string } {
  if (target.kind === "local") {
    const host = environmentHost(spec, env, spec.local.domain) ?? spec.local.domain;
    return { baseUrl: `http://127.0.0.1:${spec.local.testHttpPort}`, host };
  }
  const host = environmentHost(spec, env) ?? spec.domain;
  return { baseUrl: `https://${host}:${spec.testListener.port}`, host };
}

/** The child's AWS settings point at the target alone: inherited keys would override the local profile. */
function childAwsEnv(target: Target): NodeJS.ProcessEnv {
  const env = { ...process.env };
  if (target.kind === "local") {
    for (const name of Object.keys(env)) {
      if (
        /^AWS_(ACCESS_KEY_ID|SECRET_ACCESS_KEY|SESSION_TOKEN|PROFILE|WEB_IDENTITY_TOKEN_FILE|ROLE_ARN|ENDPOINT_URL.*)$/.test(
          name,
        )
      ) {
        delete env[name];
      }
    }
  }
  return { ...env, ...awsEnvironment(target) };
}

function spawnProgram(cwd: string, log: (line: string) => void): ProgramRunner {
  return (command, args, options = {}) =>
    new Promise((resolvePromise, reject) => {
      const child = spawn(command, args, {
        cwd,
        env: options.env ?? process.env,
        stdio: ["ignore", "pipe", "pipe"],
      });
      let tail: string[] = [];
      const relay = (chunk: Buffer) => {
        for (const line of chunk.toString().split(/\r?\n/)) {
          if (!line.trim()) continue;
          log(isCiCommand(line) ? line : `  │ ${line}`);
          tail = [...tail.slice(-39), line];
        }
      };
      child.stdout.on("data", relay);
      child.stderr.on("data", relay);
      child.on("error", (error) => reject(new Error(`${command} could not start: ${error.message}`)));
      child.on("close", (code, signal) => {
        if (code === 0) resolvePromise();
        else {
          const shown = [command, ...args].join(" ");
          const name = shown.length > 100 ? `${shown.slice(0, 100)}…` : shown;
          reject(new Error(`${name} exited with ${code ?? signal}: ${failureReason(tail)}`));
        }
      });
    });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
