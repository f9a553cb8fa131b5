import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateBucketCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { startTestRegion, type TestRegion } from "@platform/local-region/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { S3Store } from "../src/recording/recording-store.js";

// The recordings' S3 path against the local region's S3 (real SigV4, multipart-capable upload of
// @aws-sdk/lib-storage), as npm start runs it: the environment's bucket, shared with the API.

let region: TestRegion;
let s3: S3Client;
const dir = mkdtempSync(join(tmpdir(), "recordings-s3-"));

beforeAll(async () => {
  region = await startTestRegion();
  s3 = region.client(S3Client, { forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: "platform-qa-objects" }));
});

afterAll(async () => {
  await region?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

describe("recordings in the local region's S3", () => {
  it("uploads a finished recording under recordings/ and plays it back from there", async () => {
    const store = new S3Store("platform-qa-objects", dir, s3);
    const body = Buffer.alloc(6 * 1024 * 1024, 7); // more than one part of lib-storage's upload
    const target = store.target("s3://platform-qa-objects/recordings/calls/a.webm");
    writeFileSync(target.file, body);
    await target.publish();
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: "platform-qa-objects" }));
    expect(listed.Contents?.map((o) => [o.Key, o.Size])).toEqual([["recordings/calls/a.webm", body.length]]);

    const opened = await store.open("s3://platform-qa-objects/recordings/calls/a.webm");
    expect(readFileSync(opened.file).equals(body)).toBe(true);
    await opened.done();
  });

  it("answers a recording that isn't there with Kurento's error, not a crash", async () => {
    const store = new S3Store("platform-qa-objects", dir, s3);
    await expect(store.open("s3://platform-qa-objects/recordings/none.webm")).rejects.toMatchObject({
      code: 40107,
    });
  });
});
