import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { retryDelayMs, type WorkerRef } from "../src/model/job.js";
import { claimOrder, MAX_WAIT_MS, type Queued, type Scheduling } from "../src/model/scheduling.js";
import { openStore } from "../src/store/open.js";
import { PostgresDialect } from "../src/store/postgres.js";
import { IdempotencyMismatch, type JobStore, type NewJob } from "../src/store/store.js";
import { startPostgres, type TestPostgres } from "./helpers/postgres.js";

// One suite, two databases: SQLite (a temp file) and PostgreSQL (Debian's server, started here).

const W1: WorkerRef = { id: "w1", taskId: "t1", host: "h1" };
const W2: WorkerRef = { id: "w2", taskId: "t2", host: "h2" };
const LEASE = 10_000;
let counter = 0;

function newJob(overrides: Partial<NewJob> = {}): NewJob {
  counter++;
  return {
    id: `job-${counter}-${Math.random().toString(36).slice(2, 8)}`,
    userid: "alice",
    kind: "transcode",
    spec: {
      kind: "transcode",
      input: `objects://in/clip${counter}.mp4`,
      output: `objects://out/clip${counter}.mp4`,
      profile: {
        ffmpeg: {
          codec: "h264",
          scale: "240p",
          bitrate: 1,
          profile: "quality",
          speed: "ultrafast",
          platform: "cpu",
        },
      },
    },
    priority: 50,
    maxAttempts: 3,
    batchId: null,
    ...overrides,
  };
}

async function submitOne(store: JobStore, job: NewJob, now: number) {
  const { jobs } = await store.submit(
    { userid: job.userid, jobs: [job], clientRequestToken: null, fingerprint: "x" },
    now,
  );
  return jobs[0]!;
}

type Opener = (options?: {
  scheduling?: Scheduling;
}) => Promise<{ store: JobStore; cleanup: () => Promise<void> }>;

function storeSuite(name: string, open: Opener) {
  describe(`store: ${name}`, () => {
    let store: JobStore;
    let cleanup: () => Promise<void>;
    let now = 1_000_000;

    beforeEach(async () => {
      ({ store, cleanup } = await open());
      now += 1_000_000;
      return async () => {
        await store.close();
        await cleanup();
      };
    });

    it("submits a job and logs JobSummit", async () => {
      const job = await submitOne(store, newJob(), now);
      expect(job.status).toBe("SUBMITTED");
      expect((await store.get(job.id))?.spec).toEqual(job.spec);
      const events = await store.events(job.id);
      expect(events.map((e) => e.action)).toEqual(["JobSummit"]);
      expect(events[0]?.job.jobid).toBe(job.id);
    });

    it("returns the first request's jobs for a retried clientRequestToken and refuses a different body", async () => {
      const request = {
        userid: "alice",
        jobs: [newJob(), newJob()],
        clientRequestToken: "tok-1",
        fingerprint: "f1",
      };
      const first = await store.submit(request, now);
      const retry = await store.submit({ ...request, jobs: [newJob(), newJob()] }, now + 1);
      expect(first.created).toBe(true);
      expect(retry.created).toBe(false);
      expect(retry.jobs.map((j) => j.id)).toEqual(first.jobs.map((j) => j.id));
      await expect(store.submit({ ...request, fingerprint: "f2" }, now)).rejects.toBeInstanceOf(
        IdempotencyMismatch,
      );
      const other = await store.submit({ ...request, userid: "bob", jobs: [newJob({ userid: "bob" })] }, now);
      expect(other.created).toBe(true);
    });

    it("claims by priority, then age", async () => {
      const old = await submitOne(store, newJob({ priority: 10 }), now);
      const urgent = await submitOne(store, newJob({ priority: 90 }), now + 5);
      const young = await submitOne(store, newJob({ priority: 10 }), now + 10);
      const order = [];
      for (let i = 0; i < 3; i++) order.push((await store.claim(W1, now + 20, LEASE))?.job.id);
      expect(order).toEqual([urgent.id, old.id, young.id]);
      expect(await store.claim(W1, now + 20, LEASE)).toBeUndefined();
    });

    it("sjf: priority, then long waiters, then the shortest expected from the kind's runs, as claimOrder says", async () => {
      const sjf = await open({ scheduling: "sjf" });
      try {
        const kind = (input: string, priority = 50) =>
          newJob({ priority, spec: { ...newJob().spec, input } as NewJob["spec"] });
        const long = kind("objects://in/long.mp4");
        const short = kind("objects://in/short.mp4");
        // The history: one run of each kind, 30 s and 5 s.
        const t = now;
        await submitOne(sjf.store, { ...long, id: `${long.id}-h` }, t);
        await sjf.store.complete(
          (await sjf.store.claim(W1, t, LEASE))!,
          { output: "x", bytes: 1 },
          t + 30_000,
        );
        await submitOne(sjf.store, { ...short, id: `${short.id}-h` }, t + 30_000);
        await sjf.store.complete(
          (await sjf.store.claim(W1, t + 30_000, LEASE))!,
          { output: "x", bytes: 1 },
          t + 35_000,
        );

        const s = t + 40_000;
        const claimAt = s + MAX_WAIT_MS + 1;
        const queued: (Queued & { job: NewJob })[] = [
          { job: { ...long, id: `${long.id}-aged` }, priority: 50, createdAt: s, expectedMs: 30_000 },
          { job: { ...long, id: `${long.id}-a` }, priority: 50, createdAt: s + 1_000, expectedMs: 30_000 },
          { job: { ...short, id: `${short.id}-b` }, priority: 50, createdAt: s + 2_000, expectedMs: 5_000 },
          { job: kind("objects://in/new.mp4"), priority: 50, createdAt: s + 3_000, expectedMs: null },
          { job: kind("objects://in/long.mp4", 90), priority: 90, createdAt: s + 4_000, expectedMs: 30_000 },
        ].map((q) => ({ ...q, id: q.job.id }));
        for (const q of queued) await submitOne(sjf.store, q.job, q.createdAt);
        const claimed = [];
        for (const _ of queued) claimed.push((await sjf.store.claim(W1, claimAt, LEASE))?.job.id);
        const expected = [...queued].sort(claimOrder("sjf", claimAt)).map((q) => q.id);
        expect(claimed).toEqual(expected);
        // Spelled out: the urgent one, the one that waited too long, the unknown kind, short, long.
        expect(expected).toEqual([4, 0, 3, 2, 1].map((i) => queued[i]!.id));
      } finally {
        await sjf.store.close();
        await sjf.cleanup();
      }
    });

    it("completes exactly once, fenced by the lease token", async () => {
      const job = await submitOne(store, newJob(), now);
      const lease = (await store.claim(W1, now, LEASE))!;
      expect(lease.job.status).toBe("PROGRESSING");
      expect(lease.job.attempts).toBe(1);
      expect(
        await store.heartbeat(lease, now + 1, LEASE, {
          phase: "TRANSCODING",
          percentComplete: 40,
          logEvent: true,
        }),
      ).toBe(true);
      expect((await store.get(job.id))?.percentComplete).toBe(40);
      expect(await store.complete({ ...lease, token: "forged" }, { output: "x", bytes: 1 }, now + 2)).toBe(
        false,
      );
      expect(await store.complete(lease, { output: "x", bytes: 1 }, now + 2)).toBe(true);
      expect(await store.complete(lease, { output: "x", bytes: 1 }, now + 3)).toBe(false);
      const actions = (await store.events(job.id)).map((e) => e.action);
      expect(actions).toEqual(["JobSummit", "JobStart", "JobProgress", "JobFinished"]);
      const done = (await store.get(job.id))!;
      expect(done.status).toBe("COMPLETE");
      expect(done.result).toEqual({ output: "x", bytes: 1 });
    });

    it("hands an expired lease to another worker and fences the first", async () => {
      const job = await submitOne(store, newJob(), now);
      const first = (await store.claim(W1, now, LEASE))!;
      expect(await store.claim(W2, now + LEASE - 1, LEASE)).toBeUndefined();
      const second = (await store.claim(W2, now + LEASE + 1, LEASE))!;
      expect(second.job.id).toBe(job.id);
      expect(second.job.attempts).toBe(2);
      expect(await store.heartbeat(first, now + LEASE + 2, LEASE)).toBe(false);
      expect(await store.complete(first, { output: "x", bytes: 1 }, now + LEASE + 3)).toBe(false);
      expect(await store.complete(second, { output: "x", bytes: 2 }, now + LEASE + 4)).toBe(true);
      const finished = (await store.events(job.id)).filter((e) => e.action === "JobFinished");
      expect(finished).toHaveLength(1);
      expect(finished[0]?.worker?.id).toBe("w2");
    });

    it("turns a job whose attempts are used up into ERROR", async () => {
      const job = await submitOne(store, newJob({ maxAttempts: 2 }), now);
      await store.claim(W1, now, LEASE);
      await store.claim(W1, now + LEASE + 1, LEASE);
      expect(await store.claim(W1, now + 3 * LEASE, LEASE)).toBeUndefined();
      const failed = (await store.get(job.id))!;
      expect(failed.status).toBe("ERROR");
      expect(failed.errorCode).toBe("ATTEMPTS_EXHAUSTED");
    });

    it("retries a retryable failure and stops at a permanent one", async () => {
      const job = await submitOne(store, newJob(), now);
      const lease = (await store.claim(W1, now, LEASE))!;
      expect(await store.fail(lease, { code: "FETCH", message: "timeout", retryable: true }, now + 1)).toBe(
        "SUBMITTED",
      );
      expect(await store.claim(W1, now + 2, LEASE)).toBeUndefined(); // backing off
      const later = now + 1 + retryDelayMs(1);
      const again = (await store.claim(W1, later, LEASE))!;
      expect(again.job.id).toBe(job.id);
      expect(
        await store.fail(again, { code: "INPUT_INVALID", message: "no video", retryable: false }, later + 1),
      ).toBe("ERROR");
      const failed = (await store.get(job.id))!;
      expect([failed.status, failed.errorCode, failed.errorMessage]).toEqual([
        "ERROR",
        "INPUT_INVALID",
        "no video",
      ]);
    });

    it("release hands the job back without counting the attempt", async () => {
      const job = await submitOne(store, newJob(), now);
      const lease = (await store.claim(W1, now, LEASE))!;
      expect(await store.release(lease, now + 1)).toBe(true);
      const back = (await store.get(job.id))!;
      expect([back.status, back.attempts]).toEqual(["SUBMITTED", 0]);
      expect(await store.complete(lease, { output: "x", bytes: 1 }, now + 2)).toBe(false);
    });

    it("cancels queued and running jobs; a canceled lease is lost", async () => {
      const queued = await submitOne(store, newJob(), now);
      expect((await store.cancel(queued.id, now + 1))?.status).toBe("CANCELED");
      expect(await store.cancel(queued.id, now + 2)).toBeUndefined();
      const running = await submitOne(store, newJob(), now + 3);
      const lease = (await store.claim(W1, now + 4, LEASE))!;
      expect(lease.job.id).toBe(running.id);
      await store.cancel(running.id, now + 5);
      expect(await store.heartbeat(lease, now + 6, LEASE)).toBe(false);
      expect(await store.complete(lease, { output: "x", bytes: 1 }, now + 7)).toBe(false);
      expect((await store.get(running.id))?.status).toBe("CANCELED");
    });

    it("pages through a filtered list with a cursor", async () => {
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push((await submitOne(store, newJob({ userid: "pager" }), now + i)).id);
      await submitOne(store, newJob({ userid: "other" }), now + 10);
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 5; page++) {
        const result = await store.list({ userid: "pager", limit: 2, cursor });
        seen.push(...result.jobs.map((j) => j.id));
        if (!result.nextCursor) break;
        cursor = result.nextCursor;
      }
      expect(seen).toEqual([...ids].reverse());
      expect((await store.list({ status: "SUBMITTED", userid: "other", limit: 10 })).jobs).toHaveLength(1);
    });

    it("streams events after a sequence number", async () => {
      const start = await store.lastSeq();
      const job = await submitOne(store, newJob(), now);
      const lease = (await store.claim(W1, now, LEASE))!;
      await store.complete(lease, { output: "x", bytes: 1 }, now + 1);
      const events = await store.eventsSince(start, 100);
      expect(events.map((e) => [e.jobID, e.action])).toEqual([
        [job.id, "JobSummit"],
        [job.id, "JobStart"],
        [job.id, "JobFinished"],
      ]);
      expect(events[0]!.seq).toBeLessThan(events[2]!.seq);
    });

    it("tells onCommit listeners after a write commits, its events readable; not after a rollback", async () => {
      const start = await store.lastSeq();
      const seen: Promise<string[]>[] = [];
      const unsubscribe = store.onCommit(() =>
        seen.push(store.eventsSince(start, 100).then((events) => events.map((e) => e.action))),
      );
      const request = { userid: "alice", jobs: [newJob()], clientRequestToken: "tok-c", fingerprint: "f1" };
      await store.submit(request, now);
      expect(seen).toHaveLength(1);
      expect(await seen[0]).toEqual(["JobSummit"]);
      await expect(store.submit({ ...request, fingerprint: "f2" }, now)).rejects.toBeInstanceOf(
        IdempotencyMismatch,
      );
      expect(seen).toHaveLength(1);
      unsubscribe();
      await submitOne(store, newJob(), now);
      expect(seen).toHaveLength(1);
    });

    it("gives each job to exactly one of several concurrent claimers", async () => {
      for (let i = 0; i < 12; i++) await submitOne(store, newJob(), now + i);
      const claimed: string[] = [];
      const claimer = async (worker: WorkerRef) => {
        for (;;) {
          const lease = await store.claim(worker, now + 100, LEASE);
          if (!lease) return;
          claimed.push(lease.job.id);
        }
      };
      await Promise.all([
        claimer(W1),
        claimer(W2),
        claimer({ ...W1, id: "w3" }),
        claimer({ ...W2, id: "w4" }),
      ]);
      expect(claimed).toHaveLength(12);
      expect(new Set(claimed).size).toBe(12);
    });

    it("stores keys by hash and revokes them", async () => {
      expect(await store.addKey({ id: "k1", userid: "alice", hash: "h1", admin: false }, now)).toBe(true);
      expect(await store.addKey({ id: "k1", userid: "alice", hash: "h1", admin: false }, now)).toBe(false);
      expect((await store.keyByHash("h1"))?.userid).toBe("alice");
      expect(await store.revokeKey("k1", now + 1)).toBe(true);
      expect((await store.keyByHash("h1"))?.revokedAt).toBe(now + 1);
      expect((await store.listKeys()).map((k) => k.id)).toEqual(["k1"]);
    });

    it("reports queues, states and timings", async () => {
      await submitOne(store, newJob(), now);
      await submitOne(store, newJob(), now + 1000);
      const lease = (await store.claim(W1, now + 2000, LEASE))!;
      await store.complete(lease, { output: "x", bytes: 1 }, now + 5000);
      const transcode = (await store.queues(now + 3000)).find((q) => q.name === "transcode")!;
      expect(transcode).toEqual({ name: "transcode", depth: 1, oldestAgeSeconds: 2 });
      const states = await store.countByState();
      expect([states.SUBMITTED, states.COMPLETE, states.ERROR]).toEqual([1, 1, 0]);
      expect(await store.recentTimings(10)).toEqual([
        { createdAt: now, startedAt: now + 2000, finishedAt: now + 5000 },
      ]);
    });

    it("keeps workers and quality frames", async () => {
      const worker = {
        id: "w1",
        taskId: "t1",
        host: "h1",
        state: "Idle" as const,
        currentJobs: [],
        cpus: 2,
        memory: 1024,
        slots: 2,
        startedAt: now,
        heartbeatAt: now,
      };
      await store.saveWorker(worker);
      await store.saveWorker({ ...worker, state: "Busy", currentJobs: ["j1"], heartbeatAt: now + 1 });
      expect(await store.workers()).toEqual([
        { ...worker, state: "Busy", currentJobs: ["j1"], heartbeatAt: now + 1 },
      ]);
      await store.saveFrames("j1", [{ n: 1, psnr: 40.5, ssim: 0.98 }]);
      expect(await store.frames("j1")).toEqual([{ n: 1, psnr: 40.5, ssim: 0.98 }]);
      expect(await store.frames("j2")).toBeUndefined();
    });

    const PLAN = [0, 4, 8].map((start) => ({ startSeconds: start, durationSeconds: 4 }));

    it("leases a job's pieces like jobs: expired ones are redone alone, stale tokens change nothing", async () => {
      await submitOne(store, newJob(), now);
      const lease = (await store.claim(W1, now, LEASE))!;
      // Only the job's holder plans its pieces; they are queued at once.
      expect(await store.planSegments({ ...lease, token: "stale" }, PLAN, 2, now)).toBe(false);
      expect(await store.segments(lease.job.id)).toEqual([]);
      expect(await store.planSegments(lease, PLAN, 2, now)).toBe(true);
      expect((await store.segments(lease.job.id)).map((s) => s.status)).toEqual([
        "QUEUED",
        "QUEUED",
        "QUEUED",
      ]);
      const a = (await store.claimSegment(W1, now, LEASE))!;
      const b = (await store.claimSegment(W2, now, LEASE, lease.job.id))!;
      expect([a.segment.index, b.segment.index, a.job.id]).toEqual([0, 1, lease.job.id]);
      expect(await store.heartbeatSegment(a, now + 1, LEASE, 40)).toBe(true);
      expect(await store.heartbeatSegment(b, now + 1, LEASE, 10)).toBe(true);
      expect(await store.completeSegment(b, now + 2)).toBe(true);

      // W1 dies: its piece expires and W2 takes exactly that one again.
      const later = now + LEASE + 10;
      const again = (await store.claimSegment(W2, later, LEASE))!;
      expect([again.segment.index, again.segment.attempts]).toEqual([0, 2]);
      expect(await store.heartbeatSegment(a, later, LEASE, 50)).toBe(false);
      expect(await store.completeSegment(a, later)).toBe(false);
      expect(await store.completeSegment(again, later)).toBe(true);
      const third = (await store.claimSegment(W1, later, LEASE))!;
      expect(third.segment.index).toBe(2);
      expect(await store.claimSegment(W1, later, LEASE)).toBeUndefined();
      expect((await store.segments(lease.job.id)).map((s) => [s.status, s.percent])).toEqual([
        ["DONE", 100],
        ["DONE", 100],
        ["RUNNING", 0],
      ]);
      const actions = (await store.events(lease.job.id)).map((e) => [e.action, e.job.segment?.index]);
      expect(actions).toContainEqual(["SegmentsPlanned", undefined]);
      expect(actions.filter(([action, index]) => action === "SegmentStart" && index === 0)).toHaveLength(2);

      // Canceling the job stops its pieces: no renewal, no claim.
      await store.cancel(lease.job.id, later + 1);
      expect(await store.heartbeatSegment(third, later + 2, LEASE, 60)).toBe(false);
      expect(await store.claimSegment(W2, later + LEASE * 3, LEASE)).toBeUndefined();
      expect(await store.planSegments(lease, PLAN, 2, later + 3)).toBe(false);
      expect(await store.endedJobsWithSegments(10)).toEqual([lease.job.id]);
      await store.dropSegments(lease.job.id);
      expect(await store.endedJobsWithSegments(10)).toEqual([]);
      expect(await store.segments(lease.job.id)).toEqual([]);
    });

    it("queues a failed piece again while attempts remain, then marks it FAILED", async () => {
      await submitOne(store, newJob(), now);
      const lease = (await store.claim(W1, now, LEASE))!;
      await store.planSegments(lease, PLAN.slice(0, 1), 2, now);
      const first = (await store.claimSegment(W1, now, LEASE))!;
      const error = { message: "ffmpeg failed: boom", retryable: true };
      expect(await store.failSegment(first, error, now + 1)).toBe("QUEUED");
      const second = (await store.claimSegment(W2, now + 2, LEASE))!;
      expect(await store.failSegment(second, error, now + 3)).toBe("FAILED");
      expect(await store.claimSegment(W2, now + 4, LEASE)).toBeUndefined();
      const [piece] = await store.segments(lease.job.id);
      expect([piece?.status, piece?.errorMessage, piece?.attempts]).toEqual([
        "FAILED",
        "ffmpeg failed: boom",
        2,
      ]);
      // A worker handing a piece back (SIGTERM) does not use up an attempt.
      await store.planSegments(lease, PLAN.slice(0, 1), 2, now + 5);
      const held = (await store.claimSegment(W1, now + 6, LEASE))!;
      expect(await store.releaseSegment(held, now + 7)).toBe(true);
      expect((await store.segments(lease.job.id))[0]?.attempts).toBe(0);
    });
  });
}

storeSuite("sqlite", async (options) => {
  const dir = mkdtempSync(join(tmpdir(), "api-store-"));
  const store = await openStore(`sqlite:${join(dir, "jobs.db")}`, options);
  return { store, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
});

let pg: TestPostgres;
let database = 0;
beforeAll(async () => {
  pg = await startPostgres();
}, 60_000);
afterAll(async () => {
  await pg?.stop();
});

storeSuite("postgres", async (options) => {
  // A fresh database per test, so tests never see each other's rows.
  const admin = await PostgresDialect.open({ url: pg.url });
  const name = `t${++database}`;
  await admin.run(`CREATE DATABASE ${name}`);
  await admin.close();
  const store = await openStore(pg.url.replace(/\/postgres$/, `/${name}`), options);
  return { store, cleanup: async () => undefined };
});
