import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Durable } from "../contracts.js";
import { writeFileAtomic } from "./atomic-file.js";

// One JSON file per named state (`<stateDir>/state/<name>.json`). Models mutate `state` in place and
// the service layer commits before it answers, so what a client was told is on disk.

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

function readState<T>(file: string): T {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as T;
  } catch (error) {
    throw new Error(
      `the state file ${file} cannot be read (${(error as Error).message}); move it away to start fresh`,
    );
  }
}
