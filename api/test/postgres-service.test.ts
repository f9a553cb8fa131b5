import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startPostgres, type TestPostgres } from "./helpers/postgres.js";
import { countVideo } from "./helpers/segments.js";
import { api, ffprobe, makeClip, startTestService, type TestService, waitForJob } from "./helpers/service.js";

// The multi-host store end to end: API and worker on PostgreSQL, one real job.

let pg: TestPostgres;
let svc: TestService;

beforeAll(async () => {
  pg = await startPostgres();
  svc = await startTestService({
    DATABASE_URL: pg.url,
    API_ADMIN_KEY: "admin-key-for-the-postgres-test",
    WORKER_CONCURRENCY: "2",
    SEGMENT_THRESHOLD_SECONDS: "10",
    SEGMENT_SECONDS: "4",
  });
}, 60_000);

afterAll(async () => {
  await svc?.stop();
  await pg?.stop();
});

it("runs a job to COMPLETE with PostgreSQL as the store, admin key from the environment", async () => {
  const admin = api(svc.url, "admin-key-for-the-postgres-test");
  const clip = makeClip(join(svc.dir, "pg.mp4"), 1, "320x240");
  expect((await admin.put("/api/v1/objects/pg/in.mp4", readFileSync(clip))).status).toBe(201);
  const response = await admin.post("/api/v1/jobs", {
    input: "objects://pg/in.mp4",
    output: "objects://pg/out/",
    profile: { ffmpeg: { codec: "h264", scale: "240p", bitrate: 1, speed: "ultrafast" } },
  });
  expect(response.status).toBe(201);
  const [job] = (await response.json()) as { jobid: string; userid: string }[];
  expect(job!.userid).toBe("admin");
  const done = await waitForJob(svc.url, "admin-key-for-the-postgres-test", job!.jobid);
  expect(done.status).toBe("COMPLETE");
  const out = await admin.get("/api/v1/objects/pg/out/in.mp4");
  expect(out.status).toBe(200);
  const path = join(svc.dir, "pg-out.mp4");
  writeFileSync(path, Buffer.from(await out.arrayBuffer()));
  expect(ffprobe(path).height).toBe(240);
  expect(svc.service.store.kind).toBe("postgres");
}, 60_000);

it("runs a segmented job to COMPLETE on PostgreSQL: its pieces go through the segment queue", async () => {
  const admin = api(svc.url, "admin-key-for-the-postgres-test");
  const clip = makeClip(join(svc.dir, "pg-long.mp4"), 14, "320x240", 2);
  expect((await admin.put("/api/v1/objects/pg/long.mp4", readFileSync(clip))).status).toBe(201);
  const response = await admin.post("/api/v1/jobs", {
    input: "objects://pg/long.mp4",
    output: "objects://pg/out/",
    profile: { ffmpeg: { codec: "h264", scale: "240p", bitrate: 1, speed: "veryfast" } },
  });
  const [job] = (await response.json()) as { jobid: string }[];
  const done = await waitForJob(svc.url, "admin-key-for-the-postgres-test", job!.jobid, 120_000);
  expect(done.status).toBe("COMPLETE");
  const events = await svc.service.store.events(job!.jobid);
  expect(events.filter((e) => e.action === "SegmentFinished")).toHaveLength(4);
  const path = join(svc.dir, "pg-long-out.mp4");
  writeFileSync(path, Buffer.from(await (await admin.get("/api/v1/objects/pg/out/long.mp4")).arrayBuffer()));
  expect(countVideo(path).frames).toBe(350);
  expect(await svc.service.store.segments(job!.jobid)).toEqual([]);
}, 150_000);
