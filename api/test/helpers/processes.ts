import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { JobStore } from "../../src/store/store.js";

// Real worker processes (ROLE=worker) on one SQLite file and objects folder in `dir`, and what the
// tests that kill them need: their exits, their ffmpeg children, bounded waits.

const API_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

export class WorkerProcesses {
  readonly children = new Set<ChildProcess>();

  constructor(private readonly dir: string) {}

  start(name: string, extraEnv: Record<string, string> = {}): ChildProcess {
    const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
      cwd: API_DIR,
      env: {
        PATH: process.env.PATH,
        ROLE: "worker",
        DATABASE_URL: `sqlite:${join(this.dir, "api.db")}`,
        OBJECTS_DIR: join(this.dir, "objects"),
        TMPDIR: this.dir,
        LEASE_SECONDS: "3",
        HEARTBEAT_SECONDS: "0.5",
        POLL_MS: "100",
        WORKER_CONCURRENCY: "1",
        STOP_TIMEOUT: "10",
        LOG_LEVEL: "warn",
        APP_VERSION: name,
        ...extraEnv,
      },
      stdio: ["ignore", "ignore", "pipe"],
    });
    this.children.add(child);
    child.once("exit", () => this.children.delete(child));
    return child;
  }

  /** Every process still running, by its PID. */
  killAll(): void {
    for (const child of this.children) if (child.pid) process.kill(child.pid, "SIGKILL");
  }
}

export function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null)
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
}

export function ffmpegChildrenOf(pid: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const [, comm, rest] = /^\d+ \((.*)\) (.*)$/s.exec(readFileSync(`/proc/${entry}/stat`, "utf8")) ?? [];
      if (comm === "ffmpeg" && Number(rest?.split(" ")[1]) === pid) found.push(Number(entry));
    } catch {
      // gone while we looked
    }
  }
  return found;
}

/** Polls `check` until it gives a value (not undefined or false), bounded in time. */
export async function until<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Alice's job `id`: objects://in/clip.mp4 to objects://<id>/clip.mp4, h264 360p 1 Mb/s veryfast. */
export async function submitClipJob(store: JobStore, id: string): Promise<void> {
  const ffmpeg = {
    codec: "h264",
    scale: "360p",
    bitrate: 1,
    profile: "quality",
    speed: "veryfast",
    platform: "cpu",
  } as const;
  const spec = {
    kind: "transcode",
    input: "objects://in/clip.mp4",
    output: `objects://${id}/clip.mp4`,
    profile: { ffmpeg },
  } as const;
  const job = {
    id,
    userid: "alice",
    kind: "transcode",
    priority: 50,
    maxAttempts: 3,
    batchId: null,
    spec,
  } as const;
  await store.submit({ userid: "alice", clientRequestToken: null, fingerprint: id, jobs: [job] }, Date.now());
}
