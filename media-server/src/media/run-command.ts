import { type ChildProcess, spawn } from "node:child_process";

/** Runs a command (argv, no shell) to completion: its stdout, or an error with its stderr's last line. */
export function runCommand(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d;
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr = `${stderr}${d}`.slice(-1000);
    });
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0
        ? resolve(stdout)
        : reject(new Error(`${command} exited ${code}: ${stderr.trim().split("\n").at(-1) ?? ""}`)),
    );
  });
}

/**
 * A long-running media process under a parent-death signal (see gst-process.ts): if the server
 * dies, even by SIGKILL, the kernel ends it too.
 */
export function spawnMediaProcess(command: string, args: string[]): ChildProcess {
  return spawn("setpriv", ["--pdeathsig", "KILL", "--", command, ...args], {
    stdio: ["ignore", "ignore", "pipe"],
  });
}
