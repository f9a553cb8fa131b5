import { Command, CommanderError } from "commander";
import type { Runtime } from "./commands/common.js";
import { registerContinue } from "./commands/continue.js";
import { registerDeploy } from "./commands/deploy.js";
import { registerDiff } from "./commands/diff.js";
import { registerLogs } from "./commands/logs.js";
import { registerRollback } from "./commands/rollback.js";
import { registerScale } from "./commands/scale.js";
import { registerStatus } from "./commands/status.js";
import { registerVerify } from "./commands/verify.js";
import { joinMultiValueOptions } from "./model/argv.js";
import { EXIT, UsageError } from "./model/errors.js";

export function buildProgram(
  runtime: Runtime,
  writeErr: (text: string) => void,
  writeOut: (text: string) => void,
) {
  const program = new Command("ecs")
    .description("zero-downtime ECS deploys that decide fast and roll back on their own")
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride()
    .configureOutput({ writeErr, writeOut });
  registerDeploy(program, runtime);
  registerRollback(program, runtime);
  registerContinue(program, runtime);
  registerStatus(program, runtime);
  registerDiff(program, runtime);
  registerScale(program, runtime);
  registerVerify(program, runtime);
  registerLogs(program, runtime);
  for (const command of program.commands) command.exitOverride().configureOutput({ writeErr, writeOut });
  return program;
}

/**
 * Runs the CLI on `argv` (without node and script) and returns the exit code: 0 deployed, 1 failed
 * and rolled back, 2 failed and rollback failed, 3 bad usage. Never throws, never prints a stack.
 */
export async function runCli(
  argv: readonly string[],
  runtime: Runtime,
  writeErr: (text: string) => void,
  writeOut: (text: string) => void,
): Promise<number> {
  let exitCode = 0;
  const captured: Runtime = {
    ...runtime,
    setExitCode: (code) => {
      exitCode = code;
    },
  };
  try {
    const program = buildProgram(captured, writeErr, writeOut);
    await program.parseAsync(joinMultiValueOptions(argv), { from: "user" });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      const done = ["commander.helpDisplayed", "commander.version", "commander.help"].includes(error.code);
      return done ? 0 : EXIT.usage;
    }
    if (error instanceof UsageError) {
      writeErr(`error: ${error.message}\n`);
      return EXIT.usage;
    }
    writeErr(
      `error: ${error instanceof Error ? `${error.name}: ${error.message.split("\n")[0]}` : String(error)}\n`,
    );
    return EXIT.rollbackFailed;
  }
}
