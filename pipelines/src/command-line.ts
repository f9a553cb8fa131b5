import { type Command, CommanderError } from "commander";

// The image and pipeline CLIs parse alike: commander writes its usage errors and help to stderr,
// and the exit code is 0 after --help, 3 (bad usage) after anything else it refused.

/** Parses argv into `program`; the exit code when commander has answered already, else undefined. */
export function parseCommandLine(program: Command, argv: string[]): number | undefined {
  program.exitOverride().configureOutput({ writeErr: (text) => process.stderr.write(text) });
  try {
    program.parse(argv, { from: "user" });
    return undefined;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 3;
    throw error;
  }
}
