import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { afterAll, expect, it } from "vitest";
import { loadOrCreateAccessKey } from "../src/credentials.js";
import { exited, killByPid, startChildRegion, startTestRegion } from "../src/testing/index.js";

// Objects and multipart uploads survive a crash: a child region killed with SIGKILL after its
// answers, then a region on the same folder reads the objects and completes the upload.

const dir = mkdtempSync(join(tmpdir(), "s3-persist-"));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const clientFor = (endpoint: string) =>
  new S3Client({
    endpoint,
    region: "us-east-1",
    credentials: loadOrCreateAccessKey(dir),
    forcePathStyle: true,
    maxAttempts: 1,
  });

it("keeps acknowledged objects and uploads across a kill -9 and a restart", async () => {
  const first = await startChildRegion(dir);
  let uploadId: string | undefined;
  let part1: string | undefined;
  try {
    const s3 = clientFor(first.endpoint);
    await s3.send(new CreateBucketCommand({ Bucket: "durable" }));
    await s3.send(
      new PutObjectCommand({ Bucket: "durable", Key: "a.txt", Body: "kept", ContentType: "text/plain" }),
    );
    uploadId = (await s3.send(new CreateMultipartUploadCommand({ Bucket: "durable", Key: "big" }))).UploadId;
    part1 = (
      await s3.send(
        new UploadPartCommand({
          Bucket: "durable",
          Key: "big",
          UploadId: uploadId,
          PartNumber: 1,
          Body: Buffer.alloc(5 * 1024 * 1024, 7),
        }),
      )
    ).ETag;
  } finally {
    killByPid(first.child, "SIGKILL");
    expect(await exited(first.child, 10_000)).toBe(true);
  }
  const region = await startTestRegion([], dir);
  try {
    const s3 = clientFor(region.endpoint);
    const got = await s3.send(new GetObjectCommand({ Bucket: "durable", Key: "a.txt" }));
    expect([await got.Body!.transformToString(), got.ContentType]).toEqual(["kept", "text/plain"]);
    const part2 = await s3.send(
      new UploadPartCommand({
        Bucket: "durable",
        Key: "big",
        UploadId: uploadId,
        PartNumber: 2,
        Body: "end",
      }),
    );
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: "durable",
        Key: "big",
        UploadId: uploadId,
        MultipartUpload: {
          Parts: [
            { PartNumber: 1, ETag: part1 },
            { PartNumber: 2, ETag: part2.ETag },
          ],
        },
      }),
    );
    const head = await s3.send(new HeadObjectCommand({ Bucket: "durable", Key: "big" }));
    expect(head.ContentLength).toBe(5 * 1024 * 1024 + 3);
    // The parts' files went with the upload: what is left is one file per object.
    expect(readdirSync(join(dir, "s3", "blobs"))).toHaveLength(2);
    expect(existsSync(join(dir, "state", "s3.json"))).toBe(true);
  } finally {
    await region.stop();
  }
}, 60_000);
