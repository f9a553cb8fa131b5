import { execFile } from "node:child_process";
import { promisify } from "node:util";

// Debian's AWS CLI v2, by path: pyenv's older `aws` can shadow it on PATH, and its version predates
// `endpoint_url` in the config file, so the endpoint is passed on the command line.
export const AWS_CLI = "/usr/bin/aws";

const run = promisify(execFile);

/**
 * Runs `aws <args> --output json` against a region and returns the parsed output ({} when empty).
 * `env` holds the region's credentials (AWS_SHARED_CREDENTIALS_FILE, AWS_PROFILE, ...); a failing
 * command rejects with execFile's error, whose `code` and `stderr` tell what the service answered.
 */
export async function awsCli<T = Record<string, unknown>>(
  target: { endpoint: string; env: Record<string, string | undefined> },
  ...args: string[]
): Promise<T> {
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, ...target.env };
  const { stdout } = await run(AWS_CLI, ["--endpoint-url", target.endpoint, ...args, "--output", "json"], {
    env,
    timeout: 30_000,
  });
  return (stdout.trim() ? JSON.parse(stdout) : {}) as T;
}
