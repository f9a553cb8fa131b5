import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Job } from "../src/model/job.js";
import { FolderObjectStore, userKey } from "../src/storage/objects.js";
import { openStore } from "../src/store/open.js";
import type { JobStore } from "../src/store/store.js";
import { ffprobe, makeClip } from "./helpers/service.js";

// Real worker processes (ROLE=worker) sharing one SQLite file: one is SIGKILLed or SIGTERMed in the
// middle of a job, another finishes it, and the job completes exactly once.

const API_DIR = join(dirname(fileURLToPath(import.meta.url)), "..");
let dir: string;
let store: JobStore;
const children = new Set<ChildProcess>();

function env(name: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    ROLE: "worker",
    DATABASE_URL: `sqlite:${join(dir, "api.db")}`,
    OBJECTS_DIR: join(dir, "objects"),
    TMPDIR: dir,
    LEASE_SECONDS: "3",
    HEARTBEAT_SECONDS: "0.5",
    POLL_MS: "100",
    WORKER_CONCURRENCY: "1",
    STOP_TIMEOUT: "10",
    LOG_LEVEL: "warn",
    APP_VERSION: name,
  };
}

function startWorker(name: string): ChildProcess {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: API_DIR,
    env: env(name),
    stdio: ["ignore", "ignore", "pipe"],
  });
  children.add(child);
  child.once("exit", () => children.delete(child));
  return child;
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null)
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
}

function ffmpegChildrenOf(pid: number): number[] {
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

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
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

async function submit(id: string): Promise<void> {
  await store.submit(
    {
      userid: "alice",
      clientRequestToken: null,
      fingerprint: id,
      jobs: [
        {
          id,
          userid: "alice",
          kind: "transcode",
          priority: 50,
          maxAttempts: 3,
          batchId: null,
          spec: {
            kind: "transcode",
            input: "objects://in/clip.mp4",
            output: `objects://${id}/clip.mp4`,
            profile: {
              ffmpeg: {
                codec: "h264",
                scale: "360p",
                bitrate: 1,
                profile: "quality",
                speed: "veryfast",
                platform: "cpu",
              },
            },
          },
        },
      ],
    },
    Date.now(),
  );
}

async function finalJob(id: string): Promise<Job> {
  return until(`job ${id} to finish`, async () => {
    const job = await store.get(id);
    return job && ["COMPLETE", "ERROR", "CANCELED"].includes(job.status) ? job : undefined;
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "api-workers-"));
  store = await openStore(`sqlite:${join(dir, "api.db")}`);
  const clip = makeClip(join(dir, "clip.mp4"), 4);
  await new FolderObjectStore(join(dir, "objects")).put(
    userKey("alice", "in/clip.mp4"),
    Readable.from(readFileSync(clip)),
  );
}, 60_000);

afterAll(async () => {
  for (const child of children) if (child.pid) process.kill(child.pid, "SIGKILL");
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("worker processes", () => {
  it("a worker killed with SIGKILL mid-job: another takes the expired lease and completes it once", async () => {
    const a = startWorker("a");
    await submit("kill-job");
    const ffmpeg = await until("worker a's ffmpeg", () => ffmpegChildrenOf(a.pid!)[0]);
    const b = startWorker("b");
    process.kill(a.pid!, "SIGKILL");
    // In a container ffmpeg dies with its task; here it would be orphaned, so it goes too.
    process.kill(ffmpeg, "SIGKILL");
    expect((await exited(a)).signal).toBe("SIGKILL");

    const job = await finalJob("kill-job");
    expect(job.status).toBe("COMPLETE");
    expect(job.attempts).toBe(2);
    const events = await store.events("kill-job");
    expect(events.filter((e) => e.action === "JobFinished")).toHaveLength(1);
    const starts = events.filter((e) => e.action === "JobStart").map((e) => e.worker?.id);
    expect(starts).toHaveLength(2);
    expect(starts[0]).not.toBe(starts[1]);
    expect(ffprobe(join(dir, "objects", userKey("alice", "kill-job/clip.mp4"))).height).toBe(360);

    process.kill(b.pid!, "SIGTERM");
    expect(await exited(b)).toEqual({ code: 0, signal: null });
  }, 120_000);

  it("a worker stopped with SIGTERM hands its job back at once, kills ffmpeg, exits 0; another completes it once", async () => {
    const a = startWorker("a");
    await submit("term-job");
    const ffmpeg = await until("worker a's ffmpeg", () => ffmpegChildrenOf(a.pid!)[0]);
    // b boots meanwhile; the only job is a's, so b idles until a hands it back.
    const b = startWorker("b");
    const stoppedAt = Date.now();
    process.kill(a.pid!, "SIGTERM");
    expect(await exited(a)).toEqual({ code: 0, signal: null });
    expect(Date.now() - stoppedAt).toBeLessThan(10_000);
    expect(alive(ffmpeg)).toBe(false);
    const requeued = (await store.events("term-job")).find((e) => e.action === "JobRequeued");
    expect([requeued?.job.status, requeued?.job.attempts]).toEqual(["SUBMITTED", 0]);
    const stopped = (await store.workers()).find((w) => w.currentJobs.length === 0 && w.state === "Stopped");
    expect(stopped).toBeDefined();

    const job = await finalJob("term-job");
    expect(job.status).toBe("COMPLETE");
    expect(job.attempts).toBe(1);
    expect((await store.events("term-job")).filter((e) => e.action === "JobFinished")).toHaveLength(1);
    process.kill(b.pid!, "SIGTERM");
    expect(await exited(b)).toEqual({ code: 0, signal: null });
  }, 120_000);
});
