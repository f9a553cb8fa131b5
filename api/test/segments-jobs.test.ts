import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { JobEvent } from "../src/model/job.js";
import { countVideo } from "./helpers/segments.js";
import { api, makeClip, startTestService, type TestService, waitForJob } from "./helpers/service.js";

// Segmented jobs through the service: two slots share the pieces of one job through the segment
// queue; the event log shows them; cancel stops them all; a truncated input fails cleanly. Every
// ending leaves no piece rows and no piece objects.

let svc: TestService;
let key: string;
let client: ReturnType<typeof api>;

const PROFILE = { ffmpeg: { codec: "h264", scale: "240p", bitrate: 1, speed: "veryfast" } };

beforeAll(async () => {
  svc = await startTestService({
    WORKER_CONCURRENCY: "2",
    SEGMENT_THRESHOLD_SECONDS: "10",
    SEGMENT_SECONDS: "4",
  });
  ({ key } = await svc.addKey("alice"));
  client = api(svc.url, key);
}, 60_000);

afterAll(async () => {
  await svc?.stop();
});

async function upload(name: string, path: string): Promise<void> {
  expect((await client.put(`/api/v1/objects/in/${name}`, readFileSync(path))).status).toBe(201);
}

async function submit(name: string): Promise<string> {
  const response = await client.post("/api/v1/jobs", {
    input: `objects://in/${name}`,
    output: "objects://out/",
    profile: PROFILE,
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { jobid: string }[])[0]!.jobid;
}

async function events(jobId: string): Promise<JobEvent[]> {
  const body = (await (await client.get(`/api/v1/jobs/${jobId}`)).json()) as { events: JobEvent[] };
  return body.events;
}

async function expectNoPieces(jobId: string): Promise<void> {
  expect(await svc.service.store.segments(jobId)).toEqual([]);
  expect(existsSync(join(svc.dir, "objects", "segments", jobId))).toBe(false);
}

async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await check();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

it("encodes a long input in segments on both slots, joined into one complete file", async () => {
  await upload("long.mp4", makeClip(join(svc.dir, "long.mp4"), 14, "320x240", 2));
  const jobId = await submit("long.mp4");
  const job = await waitForJob(svc.url, key, jobId, 120_000);
  expect(job.status).toBe("COMPLETE");

  const out = join(svc.dir, "long-out.mp4");
  writeFileSync(out, Buffer.from(await (await client.get("/api/v1/objects/out/long.mp4")).arrayBuffer()));
  const video = countVideo(out);
  expect(video.frames).toBe(350);
  expect(video.durationSeconds).toBeCloseTo(14, 1);
  expect(video.audio).toBe(true);

  const log = await events(jobId);
  expect(log.find((e) => e.action === "SegmentsPlanned")?.job.segment).toEqual({ count: 4 });
  const finished = log.filter((e) => e.action === "SegmentFinished").map((e) => e.job.segment?.index);
  expect(finished.sort()).toEqual([0, 1, 2, 3]);
  expect(log.filter((e) => e.action === "JobFinished")).toHaveLength(1);
  const percents = log.filter((e) => e.action === "JobProgress").map((e) => e.job.percentComplete);
  expect(percents).toEqual([...percents].sort((a, b) => a - b));
  await expectNoPieces(jobId);
}, 150_000);

it("cancel stops every segment of the job and leaves no pieces", async () => {
  await upload("cancel.mp4", makeClip(join(svc.dir, "cancel.mp4"), 24, "640x360", 2));
  const jobId = await submit("cancel.mp4");
  await until("two pieces running", async () =>
    (await svc.service.store.segments(jobId)).filter((s) => s.status === "RUNNING").length >= 2
      ? true
      : undefined,
  );
  expect((await client.post(`/api/v1/jobs/${jobId}/cancel`, {})).status).toBe(200);
  await until(
    "the pieces' ffmpeg to stop",
    async () => (ffmpegOfThisProcess() === 0 ? true : undefined),
    20_000,
  );
  await until("the job's pieces to be dropped", async () =>
    (await svc.service.store.segments(jobId)).length === 0 ? true : undefined,
  );
  await expectNoPieces(jobId);
  expect((await svc.service.store.get(jobId))?.status).toBe("CANCELED");
  const log = await events(jobId);
  expect(log.filter((e) => e.action === "SegmentFinished").length).toBeLessThan(10);
  expect(log.at(-1)?.action).toBe("JobCanceled");
}, 150_000);

it("a truncated input fails the job with a clear error and leaves no pieces", async () => {
  const mkv = join(svc.dir, "cut.mkv");
  execFileSync("ffmpeg", [
    "-v",
    "error",
    "-y",
    "-i",
    makeClip(join(svc.dir, "cut.mp4"), 14, "320x240", 2),
    "-c",
    "copy",
    mkv,
  ]);
  truncateSync(mkv, Math.floor(readFileSync(mkv).length / 2));
  await upload("cut.mkv", mkv);
  const jobId = await submit("cut.mkv");
  const job = await waitForJob(svc.url, key, jobId, 60_000);
  expect(job.status).toBe("ERROR");
  expect(job.errorCode).toBe("INPUT_INVALID");
  expect(String(job.errorMessage)).toMatch(
    /^the input is truncated: its video ends at \d+\.\d s of the 14\.0 s/,
  );
  await expectNoPieces(jobId);
}, 60_000);

/** ffmpeg processes whose parent is this test process (the in-process service's workers). */
function ffmpegOfThisProcess(): number {
  const out = execFileSync("ps", ["-o", "comm=", "--ppid", String(process.pid)]).toString();
  return out.split("\n").filter((c) => c.trim() === "ffmpeg").length;
}
