import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, expect, it } from "vitest";
import { api, ffprobe, makeClip, startTestService, type TestService, waitForJob } from "./helpers/service.js";

// A job from an allowed bucket to an allowed bucket. S3 cannot run here, so the SDK client is mocked
// (holding the objects in memory); the service, ffmpeg and the HTTP API are real.

const s3 = mockClient(S3Client);
const objects = new Map<string, Buffer>();
let svc: TestService;

beforeAll(async () => {
  svc = await startTestService({ ALLOWED_BUCKETS: "media-in,media-out", AWS_REGION: "eu-west-1" });
  objects.set("media-in/clips/clip.mp4", readFileSync(makeClip(join(svc.dir, "s3clip.mp4"), 1, "320x240")));
  s3.on(HeadObjectCommand).callsFake((input: { Bucket: string; Key: string }) => {
    const body = objects.get(`${input.Bucket}/${input.Key}`);
    if (!body) throw Object.assign(new Error("NotFound"), { name: "NotFound" });
    return { ContentLength: body.length, ContentType: "video/mp4" };
  });
  s3.on(GetObjectCommand).callsFake((input: { Bucket: string; Key: string }) => {
    const body = objects.get(`${input.Bucket}/${input.Key}`);
    if (!body) throw Object.assign(new Error("NoSuchKey"), { name: "NoSuchKey" });
    return { Body: Readable.from([body]) };
  });
  s3.on(PutObjectCommand).callsFake(async (input: { Bucket: string; Key: string; Body: Readable }) => {
    const chunks: Buffer[] = [];
    for await (const chunk of input.Body) chunks.push(Buffer.from(chunk));
    objects.set(`${input.Bucket}/${input.Key}`, Buffer.concat(chunks));
    return {};
  });
}, 60_000);

afterAll(async () => {
  await svc?.stop();
  s3.restore();
});

it("transcodes s3://media-in/... to s3://media-out/... and refuses buckets not allowed", async () => {
  const { key } = await svc.addKey("erin");
  const client = api(svc.url, key);
  const refused = await client.post("/api/v1/jobs", {
    input: "s3://media-in/clips/clip.mp4",
    output: "s3://secret-bucket/",
    profile: { ffmpeg: { codec: "h264", scale: "240p", bitrate: 1, speed: "ultrafast" } },
  });
  expect(refused.status).toBe(400);
  expect(((await refused.json()) as { message: string }).message).toMatch(
    /bucket 'secret-bucket' is not one/,
  );
  const missing = await client.post("/api/v1/jobs", {
    input: "s3://media-in/clips/none.mp4",
    output: "s3://media-out/renditions/",
    profile: { ffmpeg: { codec: "h264", scale: "240p", bitrate: 1, speed: "ultrafast" } },
  });
  expect(missing.status).toBe(400);

  const response = await client.post("/api/v1/jobs", {
    input: "s3://media-in/clips/clip.mp4",
    output: "s3://media-out/renditions/",
    profile: { ffmpeg: { codec: "h265", scale: "240p", bitrate: 1, speed: "ultrafast" } },
  });
  expect(response.status).toBe(201);
  const [job] = (await response.json()) as { jobid: string; output: string }[];
  expect(job!.output).toBe("s3://media-out/renditions/clip.mp4");
  const done = await waitForJob(svc.url, key, job!.jobid);
  expect(done.status).toBe("COMPLETE");
  const written = objects.get("media-out/renditions/clip.mp4");
  expect(written).toBeDefined();
  const path = join(svc.dir, "from-s3.mp4");
  writeFileSync(path, written!);
  expect(ffprobe(path)).toMatchObject({ codec: "hevc", height: 240 });
  const put = s3.commandCalls(PutObjectCommand).find((c) => c.args[0].input.Key === "renditions/clip.mp4");
  expect(put?.args[0].input.ContentLength).toBe(written!.length);
}, 60_000);
