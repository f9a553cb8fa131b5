import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Job } from "../src/model/job.js";
import { FolderObjectStore, userKey } from "../src/storage/objects.js";
import { openStore } from "../src/store/open.js";
import type { JobStore } from "../src/store/store.js";
import { exited, ffmpegChildrenOf, submitClipJob, until, WorkerProcesses } from "./helpers/processes.js";
import { ffprobe, makeClip } from "./helpers/service.js";

// Real worker processes (ROLE=worker) sharing one SQLite file: one is SIGKILLed or SIGTERMed in the
// middle of a job, another finishes it, and the job completes exactly once.

let dir: string;
let store: JobStore;
let workers: WorkerProcesses;
const startWorker = (name: string) => workers.start(name);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const submit = (id: string) => submitClipJob(store, id);

async function finalJob(id: string): Promise<Job> {
  return until(`job ${id} to finish`, async () => {
    const job = await store.get(id);
    return job && ["COMPLETE", "ERROR", "CANCELED"].includes(job.status) ? job : undefined;
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "api-workers-"));
  workers = new WorkerProcesses(dir);
  store = await openStore(`sqlite:${join(dir, "api.db")}`);
  const clip = makeClip(join(dir, "clip.mp4"), 4);
  await new FolderObjectStore(join(dir, "objects")).put(
    userKey("alice", "in/clip.mp4"),
    Readable.from(readFileSync(clip)),
  );
}, 60_000);

afterAll(async () => {
  workers?.killAll();
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
