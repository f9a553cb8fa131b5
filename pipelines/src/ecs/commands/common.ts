import type { Command } from "commander";
import { type AwsOptions, type Clients, createClients } from "../aws/clients.js";
import { type Clock, systemClock } from "../aws/clock.js";
import { EcsGateway } from "../aws/ecs.js";
import { asUsageError, firstLine } from "../aws/errors.js";
import type { Context } from "../core/context.js";
import { EXIT, PreflightError, UsageError } from "../model/errors.js";
import { Redactor } from "../model/secrets.js";
import type { Reporter, Sink } from "../output/reporter.js";
import { createReporter, outputStyle } from "../output/select.js";

/** What the CLI needs from the process; tests pass their own. */
export interface Runtime {
  env: NodeJS.ProcessEnv;
  isTty: boolean;
  /** Builds the output sink; every line it writes passes the redactor. */
  sink(redactor: Redactor): Sink;
  clock: Clock;
  clients(options: AwsOptions): Clients;
  pollIntervalMs: number;
  setExitCode(code: number): void;
}

export function processRuntime(sink: (redactor: Redactor) => Sink): Runtime {
  return {
    env: process.env,
    isTty: Boolean(process.stdout.isTTY),
    sink,
    clock: systemClock,
    clients: createClients,
    pollIntervalMs: 2000,
    setExitCode: (code) => {
      process.exitCode = code;
    },
  };
}

export interface CommonOptions {
  region?: string;
  profile?: string;
  json?: boolean;
}

export function addCommonOptions(command: Command): Command {
  return command
    .option("--region <region>", "AWS region (default: AWS_REGION or the profile's region)")
    .option("--profile <profile>", "AWS profile from the shared config/credentials files")
    .option("--json", "print one JSON document for machines instead of progress");
}

/**
 * Runs a command body with a context, and turns whatever it throws into one line and an exit code:
 * 3 for bad usage (and checks that failed before any change), 2 for anything unexpected.
 */
export async function runWithContext(
  runtime: Runtime,
  options: CommonOptions,
  body: (ctx: Context) => Promise<number>,
): Promise<void> {
  const redactor = new Redactor();
  const reporter = createReporter(
    outputStyle(Boolean(options.json), runtime.env, runtime.isTty),
    runtime.sink(redactor),
    runtime.env,
  );
  try {
    const clients = runtime.clients({ region: options.region, profile: options.profile });
    const ctx: Context = {
      clients,
      ecs: new EcsGateway(clients.ecs),
      clock: runtime.clock,
      reporter,
      redactor,
      pollIntervalMs: runtime.pollIntervalMs,
    };
    runtime.setExitCode(await body(ctx));
  } catch (error) {
    reportError(reporter, error);
    runtime.setExitCode(exitCodeOf(error));
  } finally {
    reporter.close();
  }
}

export function exitCodeOf(error: unknown): number {
  if (error instanceof PreflightError || asUsageError(error)) return EXIT.usage;
  return EXIT.rollbackFailed;
}

function reportError(reporter: Reporter, error: unknown): void {
  reporter.error(errorLine(error));
}

/** The one line a user sees for an error: its cause, never a stack. */
export function errorLine(error: unknown): string {
  if (error instanceof PreflightError) return error.message;
  const usage = asUsageError(error);
  if (usage) return usage.message;
  const e = error instanceof Error ? error : new Error(String(error));
  return `${e.name}: ${firstLine(e.message)}`;
}

export function positiveInt(name: string) {
  return (value: string): number => {
    if (!/^\d+$/.test(value)) throw new UsageError(`${name} must be a whole number, got "${value}"`);
    return Number(value);
  };
}

/** fabfuel takes the region as a third positional argument in some CI lines; accept a region name only. */
export function regionArgument(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d+$/.test(value)) {
    throw new UsageError(
      `unexpected argument "${value}" (a third argument must be an AWS region, e.g. eu-west-1)`,
    );
  }
  return value;
}
