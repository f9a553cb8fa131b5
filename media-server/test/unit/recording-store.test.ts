import { readFileSync, writeFileSync } from "node:fs";
import { Readable } from "node:stream";
import { GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { S3Store } from "../../src/recording/recording-store.js";

// AWS itself mocked (the SDK's own serializers still run); the local region's S3 runs it in npm start.
const s3 = mockClient(S3Client);

describe("recordings in S3", () => {
  const store = new S3Store("recordings-qa", "/recordings", new S3Client({ region: "us-east-1" }));
  beforeEach(() => s3.reset());

  it("uploads a finished recording under its key and plays it back from there", async () => {
    s3.on(PutObjectCommand).resolves({});
    s3.on(GetObjectCommand, { Bucket: "recordings-qa", Key: "recordings/calls/a.webm" }).resolves({
      Body: Readable.from([Buffer.from("webm bytes")]) as never,
    });
    const target = store.target("s3://recordings-qa/recordings/calls/a.webm");
    writeFileSync(target.file, "webm bytes");
    await target.publish();
    const put = s3.commandCalls(PutObjectCommand)[0]!.args[0].input;
    expect(put).toMatchObject({
      Bucket: "recordings-qa",
      Key: "recordings/calls/a.webm",
      ContentType: "video/webm",
    });

    const opened = await store.open("s3://recordings-qa/recordings/calls/a.webm");
    expect(readFileSync(opened.file, "utf8")).toBe("webm bytes");
    await opened.done();
  });

  it("maps a file:// uri inside RECORDINGS_DIR to its relative key under recordings/", () => {
    expect(store.key("file:///recordings/b/c.webm")).toBe("recordings/b/c.webm");
  });

  it("refuses other buckets, keys outside recordings/, dot segments and unknown recordings with Kurento's error", async () => {
    for (const uri of [
      "s3://other/recordings/a.webm",
      "s3://recordings-qa/objects/alice/clip.mp4",
      "s3://recordings-qa/a.webm",
      "s3://recordings-qa/recordings/../objects/a.webm",
      "s3://recordings-qa/recordings//a.webm",
      "s3://recordings-qa/recordings/",
      "file:///etc/x",
    ]) {
      expect(() => store.target(uri), uri).toThrow(expect.objectContaining({ code: 40107 }));
    }
    s3.on(GetObjectCommand).rejects(new NoSuchKey({ message: "no such key", $metadata: {} }));
    await expect(store.open("s3://recordings-qa/recordings/none.webm")).rejects.toMatchObject({
      code: 40107,
      message: expect.stringMatching(/no recording/),
    });
  });
});
