import { type ChildProcess, spawn } from "node:child_process";
import { dirname, extname, join } from "node:path";
import { fileURLToPath } from "node:url";

// A region in a child process (region-child.ts), for what must not happen to the test's own process:
// a kill -9 mid-traffic, a load generator that should not share the region's event loop.

export interface ChildRegion {
  /** Stop it by its PID: `child.kill("SIGTERM")` drains and exits, `"SIGKILL"` is a crash. */
  child: ChildProcess;
  endpoint: string;
}

const here = fileURLToPath(import.meta.url);
/** Run from the sources (vitest, tsx) the script is TypeScript; from dist/ it is plain JavaScript. */
const SCRIPT_ARGS =
  extname(here) === ".ts"
    ? ["--import", "tsx", join(dirname(here), "region-child.ts")]
    : [join(dirname(here), "region-child.js")];

export function startChildRegion(
  stateDir: string,
  options: { stderr?: "pipe" | "inherit"; logs?: boolean } = {},
): Promise<ChildRegion> {
  const child = spawn(process.execPath, [...SCRIPT_ARGS, stateDir, ...(options.logs ? ["--logs"] : [])], {
    stdio: ["ignore", "pipe", options.stderr ?? "pipe"],
  });
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split("\n").find((l) => l.startsWith("{"));
      if (line) resolve({ child, endpoint: (JSON.parse(line) as { endpoint: string }).endpoint });
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.once("exit", (code) => reject(new Error(`region child exited (${code}): ${err}`)));
  });
}
