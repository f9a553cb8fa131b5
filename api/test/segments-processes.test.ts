import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, expect, it } from "vitest";
import { FolderObjectStore, userKey } from "../src/storage/objects.js";
import { openStore } from "../src/store/open.js";
import type { JobStore } from "../src/store/store.js";
import { exited, ffmpegChildrenOf, submitClipJob, until, WorkerProcesses } from "./helpers/processes.js";
import { countVideo } from "./helpers/segments.js";
import { makeClip } from "./helpers/service.js";

// Segments across real worker processes on one SQLite file: the worker of one piece is killed with
// SIGKILL and only that piece is redone; a job canceled from outside stops the pieces of every process.

const SEGMENTED = { SEGMENT_THRESHOLD_SECONDS: "10", SEGMENT_SECONDS: "4" };
let dir: string;
let store: JobStore;
let workers: WorkerProcesses;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "api-seg-workers-"));
  workers = new WorkerProcesses(dir);
  store = await openStore(`sqlite:${join(dir, "api.db")}`);
  const clip = makeClip(join(dir, "clip.mp4"), 20, "640x360", 2);
  await new FolderObjectStore(join(dir, "objects")).put(
    userKey("alice", "in/clip.mp4"),
    Readable.from(readFileSync(clip)),
  );
}, 120_000);

afterAll(async () => {
  workers?.killAll();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

const submit = (id: string) => submitClipJob(store, id);

/** The job has no piece rows and no worker runs an ffmpeg. */
const noPieces = async (id: string) =>
  (await store.segments(id)).length === 0 &&
  [...workers.children].every((c) => ffmpegChildrenOf(c.pid!).length === 0);

it("a piece whose worker is SIGKILLed is redone alone by another, and the job completes once", async () => {
  const a = workers.start("a", SEGMENTED);
  await submit("kill-piece");
  const holder = await until(
    "the job's holder",
    async () => (await store.events("kill-piece")).find((e) => e.action === "JobStart")?.worker?.id,
  );
  const b = workers.start("b", SEGMENTED);
  const victim = await until("a piece on the second worker", async () =>
    (await store.events("kill-piece")).find((e) => e.action === "SegmentStart" && e.worker?.id !== holder),
  );
  const ffmpeg = await until("its ffmpeg", () => ffmpegChildrenOf(b.pid!)[0]);
  process.kill(b.pid!, "SIGKILL");
  // In a container ffmpeg dies with its task; here it would be orphaned, so it goes too.
  process.kill(ffmpeg, "SIGKILL");
  expect((await exited(b)).signal).toBe("SIGKILL");

  const job = await until(
    "the job to finish",
    async () => {
      const j = await store.get("kill-piece");
      return j && ["COMPLETE", "ERROR", "CANCELED"].includes(j.status) ? j : undefined;
    },
    120_000,
  );
  expect([job.status, job.attempts]).toEqual(["COMPLETE", 1]);
  const events = await store.events("kill-piece");
  const index = victim.job.segment?.index;
  const starts = events.filter((e) => e.action === "SegmentStart");
  const count = events.find((e) => e.action === "SegmentsPlanned")?.job.segment?.count;
  expect(count).toBe(5);
  // Only the killed piece started twice, the second time on the surviving worker.
  expect(starts.length).toBe(count! + 1);
  const redone = starts.filter((e) => e.job.segment?.index === index);
  expect(redone.map((e) => e.worker?.id)).toEqual([victim.worker?.id, holder]);
  const finished = events.filter((e) => e.action === "SegmentFinished").map((e) => e.job.segment?.index);
  expect(finished.sort()).toEqual([0, 1, 2, 3, 4]);
  expect(events.filter((e) => e.action === "JobFinished")).toHaveLength(1);

  expect(countVideo(join(dir, "objects", userKey("alice", "kill-piece/clip.mp4"))).frames).toBe(500);
  expect(await store.segments("kill-piece")).toEqual([]);
  expect(
    new FolderObjectStore(join(dir, "objects")).info("segments/kill-piece/segment-0000.mp4"),
  ).resolves.toBeUndefined();
  process.kill(a.pid!, "SIGTERM");
  expect(await exited(a)).toEqual({ code: 0, signal: null });
}, 240_000);

it("a job canceled from another process stops the pieces on every worker", async () => {
  const a = workers.start("a", SEGMENTED);
  const b = workers.start("b", SEGMENTED);
  await submit("cancel-pieces");
  await until(
    "pieces on both workers",
    () => ffmpegChildrenOf(a.pid!).length > 0 && ffmpegChildrenOf(b.pid!).length > 0,
    120_000,
  );
  expect(await store.cancel("cancel-pieces", Date.now())).toBeDefined();
  // Within a heartbeat (0.5 s) or two every piece's ffmpeg is gone and the pieces are dropped.
  await until("every piece to stop", () => noPieces("cancel-pieces"), 15_000);
  expect((await store.get("cancel-pieces"))?.status).toBe("CANCELED");
  for (const child of [a, b]) process.kill(child.pid!, "SIGTERM");
  expect(await exited(a)).toEqual({ code: 0, signal: null });
  expect(await exited(b)).toEqual({ code: 0, signal: null });
}, 240_000);
