import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Durable, OperationHandler } from "../contracts.js";
import { writeFileAtomic } from "./atomic-file.js";

// Durable state: one JSON file per name (`<stateDir>/state/<name>.json`), and the one way a change
// to it is committed. Models change `state` in memory only; whoever made the change (a wire
// operation, a runtime adapter) commits it before telling anyone, so what was told is on disk.

const NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

export class JsonFileDurable<T> implements Durable<T> {
  readonly state: T;
  private readonly file: string;

  constructor(stateDir: string, name: string, initial: () => T) {
    if (!NAME.test(name)) throw new Error(`invalid durable state name '${name}'`);
    const folder = join(stateDir, "state");
    mkdirSync(folder, { recursive: true });
    this.file = join(folder, `${name}.json`);
    this.state = existsSync(this.file) ? readState<T>(this.file) : initial();
  }

  commit(): void {
    writeFileAtomic(this.file, JSON.stringify(this.state), 0o600);
  }
}

/** Makes a change and commits it; a change that throws is not committed (the model refused it). */
export function commitAfter<R>(durable: Durable<unknown>, change: () => R): R {
  const result = change();
  durable.commit();
  return result;
}

/**
 * A wire operation that changes state: its output goes out only once the change is committed and,
 * when given, `applied` has resolved (ELBv2 waits for new listeners to be bound).
 */
export function mutating(
  durable: Durable<unknown>,
  handler: OperationHandler,
  applied?: () => Promise<void>,
): OperationHandler {
  return async (input, ctx) => {
    const output = await handler(input, ctx);
    durable.commit();
    await applied?.();
    return output;
  };
}

function readState<T>(file: string): T {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as T;
  } catch (error) {
    throw new Error(
      `the state file ${file} cannot be read (${(error as Error).message}); move it away to start fresh`,
    );
  }
}
