import { type ChildProcess, spawn } from "node:child_process";

// Child processes of the suites: argv arrays (never a shell), output kept, stopped by their PID.

export interface RunResult {
  /** Null when the process was killed (its time limit). */
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout and stderr interleaved as they came. */
  output: string;
  elapsedMs: number;
}

export interface RunOptions {
  cwd?: string;
  env: NodeJS.ProcessEnv;
  limitMs: number;
}

/** Runs `node <args>` to completion; SIGKILLed by PID after `limitMs`. */
export function runNode(args: string[], options: RunOptions): Promise<RunResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, {
      ...(options.cwd !== undefined && { cwd: options.cwd }),
      env: options.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const kept = { stdout: "", stderr: "", output: "" };
    const keep = (stream: "stdout" | "stderr") => (chunk: Buffer) => {
      kept[stream] += chunk.toString();
      kept.output += chunk.toString();
    };
    child.stdout.on("data", keep("stdout"));
    child.stderr.on("data", keep("stderr"));
    const timer = setTimeout(() => killByPid(child, "SIGKILL"), options.limitMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, ...kept, elapsedMs: Date.now() - started });
    });
  });
}

export function killByPid(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(child.pid, signal);
  } catch {
    // Already gone between the check and the kill.
  }
}

/** Resolves when the child has exited, or after `ms` with false. */
export function exited(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** Collects a child's output and resolves once it matches `pattern`; rejects on exit or timeout. */
export function waitForOutput(
  child: ChildProcess,
  output: () => string,
  pattern: RegExp,
  timeoutMs: number,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (!pattern.test(output())) return;
      done();
      resolve();
    };
    const onExit = (code: number | null) => {
      done();
      reject(new Error(`exited (${code}) before printing ${pattern}:\n${output().slice(-3000)}`));
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`no ${pattern} within ${timeoutMs} ms:\n${output().slice(-3000)}`));
    }, timeoutMs);
    const done = () => {
      clearTimeout(timer);
      child.stdout?.off("data", check);
      child.stderr?.off("data", check);
      child.off("exit", onExit);
    };
    child.stdout?.on("data", check);
    child.stderr?.on("data", check);
    child.once("exit", onExit);
    check();
  });
}
