import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import type { ContainerCommand } from "./container-command.js";
import { startTicksOf } from "./proc.js";

// One container as a host process. It leads a process group of its own (detached), so the whole
// tree can be signalled and measured, and it can be found again by PID after a region restart.

export interface ContainerExitInfo {
  exitCode: number;
  signal?: NodeJS.Signals;
}

export interface RunningProcess {
  pid: number;
  startTicks?: number;
  exited: Promise<ContainerExitInfo>;
}

export function startContainerProcess(
  command: ContainerCommand,
  env: Record<string, string>,
  onLine: (line: string, stream: "stdout" | "stderr") => void,
): Promise<RunningProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(command.file, command.args, {
      cwd: command.cwd,
      env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const exited = new Promise<ContainerExitInfo>((done) => {
      child.once("exit", (code, signal) => {
        // Docker's convention: a container killed by a signal exits with 128 + the signal number.
        const exitCode = code ?? 128 + signalNumber(signal);
        done(signal ? { exitCode, signal } : { exitCode });
      });
    });
    for (const name of ["stdout", "stderr"] as const) {
      const lines = createInterface({ input: child[name], crlfDelay: Number.POSITIVE_INFINITY });
      lines.on("line", (line) => onLine(line, name));
    }
    child.once("error", (error) => reject(new Error(`cannot start ${command.file}: ${error.message}`)));
    child.once("spawn", () => {
      const pid = child.pid as number;
      const startTicks = startTicksOf(pid);
      resolve(startTicks === undefined ? { pid, exited } : { pid, startTicks, exited });
    });
  });
}

function signalNumber(signal: NodeJS.Signals | null): number {
  const numbers: Record<string, number> = {
    SIGHUP: 1,
    SIGINT: 2,
    SIGQUIT: 3,
    SIGABRT: 6,
    SIGKILL: 9,
    SIGSEGV: 11,
    SIGTERM: 15,
  };
  return signal ? (numbers[signal] ?? 1) : 1;
}
