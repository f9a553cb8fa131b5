import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetBucketAclCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestRegion, type TestRegion } from "../src/testing/index.js";

// S3 through @aws-sdk/client-s3 over real HTTP: the SDK's defaults (CRC32 checksums, aws-chunked
// bodies for streams), multipart, presigned URLs and S3's errors.

let region: TestRegion;
let s3: S3Client;

beforeAll(async () => {
  region = await startTestRegion();
  s3 = region.client(S3Client, { forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: "media" }));
});

afterAll(() => region?.cleanup());

const md5 = (b: Buffer) => createHash("md5").update(b).digest("hex");
const errorOf = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: { name: string; $metadata?: { httpStatusCode?: number } }) => ({
      name: e.name,
      status: e.$metadata?.httpStatusCode,
    }),
  );

describe("buckets", () => {
  it("creates, heads, lists and deletes; BucketAlreadyOwnedByYou and NoSuchBucket", async () => {
    await s3.send(new CreateBucketCommand({ Bucket: "scratch" }));
    expect(await errorOf(s3.send(new CreateBucketCommand({ Bucket: "scratch" })))).toEqual({
      name: "BucketAlreadyOwnedByYou",
      status: 409,
    });
    await s3.send(new HeadBucketCommand({ Bucket: "scratch" }));
    const listed = await s3.send(new ListBucketsCommand({}));
    expect(listed.Buckets?.map((b) => b.Name)).toEqual(["media", "scratch"]);
    await s3.send(new DeleteBucketCommand({ Bucket: "scratch" }));
    expect(await errorOf(s3.send(new HeadBucketCommand({ Bucket: "scratch" })))).toEqual({
      name: "NotFound",
      status: 404,
    });
    expect(await errorOf(s3.send(new ListObjectsV2Command({ Bucket: "scratch" })))).toEqual({
      name: "NoSuchBucket",
      status: 404,
    });
  });
});

describe("objects", () => {
  const body = Buffer.from("0123456789abcdefghij");

  it("puts a buffer and a stream (aws-chunked with a CRC32 trailer), gets, heads and deletes", async () => {
    const put = await s3.send(
      new PutObjectCommand({
        Bucket: "media",
        Key: "dir/a b+c.txt",
        Body: body,
        ContentType: "text/plain",
        Metadata: { who: "me" },
      }),
    );
    expect(put.ETag).toBe(`"${md5(body)}"`);
    const streamed = await s3.send(
      new PutObjectCommand({
        Bucket: "media",
        Key: "dir/stream",
        Body: Readable.from([body, body]),
        ContentLength: 40,
      }),
    );
    expect(streamed.ChecksumCRC32).toBeDefined();
    const got = await s3.send(new GetObjectCommand({ Bucket: "media", Key: "dir/a b+c.txt" }));
    expect(Buffer.from(await got.Body!.transformToByteArray()).toString()).toBe(body.toString());
    expect(got.ContentType).toBe("text/plain");
    expect(got.Metadata).toEqual({ who: "me" });
    const back = await s3.send(new GetObjectCommand({ Bucket: "media", Key: "dir/stream" }));
    expect(Buffer.from(await back.Body!.transformToByteArray())).toEqual(Buffer.concat([body, body]));
    const head = await s3.send(new HeadObjectCommand({ Bucket: "media", Key: "dir/stream" }));
    expect(head.ContentLength).toBe(40);
    await s3.send(new DeleteObjectCommand({ Bucket: "media", Key: "dir/stream" }));
    expect(await errorOf(s3.send(new HeadObjectCommand({ Bucket: "media", Key: "dir/stream" })))).toEqual({
      name: "NotFound",
      status: 404,
    });
    expect(await errorOf(s3.send(new GetObjectCommand({ Bucket: "media", Key: "dir/stream" })))).toEqual({
      name: "NoSuchKey",
      status: 404,
    });
  });

  it("refuses a body whose CRC32 or Content-MD5 does not match with BadDigest, and stores nothing", async () => {
    const put = (extra: Record<string, string>) =>
      errorOf(s3.send(new PutObjectCommand({ Bucket: "media", Key: "digest", Body: body, ...extra })));
    expect(await put({ ChecksumCRC32: "AAAAAA==" })).toEqual({ name: "BadDigest", status: 400 });
    expect(await put({ ContentMD5: createHash("md5").update("other").digest("base64") })).toEqual({
      name: "BadDigest",
      status: 400,
    });
    expect(await errorOf(s3.send(new HeadObjectCommand({ Bucket: "media", Key: "digest" })))).toEqual({
      name: "NotFound",
      status: 404,
    });
  });

  it("reads ranges (206, Content-Range) and refuses an unsatisfiable one with InvalidRange", async () => {
    await s3.send(new PutObjectCommand({ Bucket: "media", Key: "range", Body: body }));
    const part = await s3.send(new GetObjectCommand({ Bucket: "media", Key: "range", Range: "bytes=5-9" }));
    expect(part.$metadata.httpStatusCode).toBe(206);
    expect(part.ContentRange).toBe("bytes 5-9/20");
    expect(await part.Body!.transformToString()).toBe("56789");
    const tail = await s3.send(new GetObjectCommand({ Bucket: "media", Key: "range", Range: "bytes=-3" }));
    expect(await tail.Body!.transformToString()).toBe("hij");
    expect(
      await errorOf(s3.send(new GetObjectCommand({ Bucket: "media", Key: "range", Range: "bytes=20-" }))),
    ).toEqual({
      name: "InvalidRange",
      status: 416,
    });
  });

  it("copies an object", async () => {
    await s3.send(new PutObjectCommand({ Bucket: "media", Key: "orig", Body: body }));
    const copy = await s3.send(
      new CopyObjectCommand({ Bucket: "media", Key: "copy", CopySource: "media/orig" }),
    );
    expect(copy.CopyObjectResult?.ETag).toBe(`"${md5(body)}"`);
    const got = await s3.send(new GetObjectCommand({ Bucket: "media", Key: "copy" }));
    expect(await got.Body!.transformToString()).toBe(body.toString());
  });

  it("lists with prefix, delimiter, max-keys and continuation tokens", async () => {
    await s3.send(new CreateBucketCommand({ Bucket: "listing" }));
    const keys = ["a/1", "a/2", "b/1", "c", "d", "e/x/1"];
    for (const Key of keys) await s3.send(new PutObjectCommand({ Bucket: "listing", Key, Body: "x" }));
    const rolled = await s3.send(new ListObjectsV2Command({ Bucket: "listing", Delimiter: "/" }));
    expect(rolled.CommonPrefixes?.map((p) => p.Prefix)).toEqual(["a/", "b/", "e/"]);
    expect(rolled.Contents?.map((c) => c.Key)).toEqual(["c", "d"]);
    const prefixed = await s3.send(new ListObjectsV2Command({ Bucket: "listing", Prefix: "a/" }));
    expect(prefixed.Contents?.map((c) => c.Key)).toEqual(["a/1", "a/2"]);
    const seen: string[] = [];
    let token: string | undefined;
    for (let page = 0; page < 10; page++) {
      const out = await s3.send(
        new ListObjectsV2Command({ Bucket: "listing", Delimiter: "/", MaxKeys: 2, ContinuationToken: token }),
      );
      seen.push(
        ...(out.CommonPrefixes ?? []).map((p) => p.Prefix!),
        ...(out.Contents ?? []).map((c) => c.Key!),
      );
      expect(out.KeyCount).toBeLessThanOrEqual(2);
      token = out.NextContinuationToken;
      if (!out.IsTruncated) break;
    }
    expect(seen.sort()).toEqual(["a/", "b/", "c", "d", "e/"]);
  });
});

describe("multipart", () => {
  it("uploads a 6 MiB object in two parts with S3's multipart ETag; lists parts", async () => {
    const first = Buffer.alloc(5 * 1024 * 1024, 1);
    const second = Buffer.alloc(1024 * 1024, 2);
    const { UploadId } = await s3.send(
      new CreateMultipartUploadCommand({ Bucket: "media", Key: "big.bin", ContentType: "video/mp4" }),
    );
    const p1 = await s3.send(
      new UploadPartCommand({ Bucket: "media", Key: "big.bin", UploadId, PartNumber: 1, Body: first }),
    );
    const p2 = await s3.send(
      new UploadPartCommand({ Bucket: "media", Key: "big.bin", UploadId, PartNumber: 2, Body: second }),
    );
    const parts = await s3.send(new ListPartsCommand({ Bucket: "media", Key: "big.bin", UploadId }));
    expect(parts.Parts?.map((p) => [p.PartNumber, p.Size])).toEqual([
      [1, first.length],
      [2, second.length],
    ]);
    const done = await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: "media",
        Key: "big.bin",
        UploadId,
        MultipartUpload: {
          Parts: [
            { PartNumber: 1, ETag: p1.ETag },
            { PartNumber: 2, ETag: p2.ETag },
          ],
        },
      }),
    );
    const expected = createHash("md5")
      .update(
        Buffer.concat([createHash("md5").update(first).digest(), createHash("md5").update(second).digest()]),
      )
      .digest("hex");
    expect(done.ETag).toBe(`"${expected}-2"`);
    const head = await s3.send(new HeadObjectCommand({ Bucket: "media", Key: "big.bin" }));
    expect([head.ContentLength, head.ContentType, head.ETag]).toEqual([
      6 * 1024 * 1024,
      "video/mp4",
      `"${expected}-2"`,
    ]);
    const edge = await s3.send(
      new GetObjectCommand({
        Bucket: "media",
        Key: "big.bin",
        Range: `bytes=${first.length - 1}-${first.length}`,
      }),
    );
    expect([...(await edge.Body!.transformToByteArray())]).toEqual([1, 2]);
    expect(
      await errorOf(s3.send(new ListPartsCommand({ Bucket: "media", Key: "big.bin", UploadId }))),
    ).toEqual({
      name: "NoSuchUpload",
      status: 404,
    });
  });

  it("refuses EntityTooSmall and InvalidPart; an aborted upload is NoSuchUpload", async () => {
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: "media", Key: "small" }));
    const p1 = await s3.send(
      new UploadPartCommand({ Bucket: "media", Key: "small", UploadId, PartNumber: 1, Body: "tiny" }),
    );
    const p2 = await s3.send(
      new UploadPartCommand({ Bucket: "media", Key: "small", UploadId, PartNumber: 2, Body: "end" }),
    );
    const complete = (Parts: { PartNumber: number; ETag?: string }[]) =>
      s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: "media",
          Key: "small",
          UploadId,
          MultipartUpload: { Parts },
        }),
      );
    expect(
      await errorOf(
        complete([
          { PartNumber: 1, ETag: p1.ETag },
          { PartNumber: 2, ETag: p2.ETag },
        ]),
      ),
    ).toEqual({
      name: "EntityTooSmall",
      status: 400,
    });
    expect(await errorOf(complete([{ PartNumber: 1, ETag: '"00000000000000000000000000000000"' }]))).toEqual({
      name: "InvalidPart",
      status: 400,
    });
    await s3.send(new AbortMultipartUploadCommand({ Bucket: "media", Key: "small", UploadId }));
    expect(await errorOf(complete([{ PartNumber: 1, ETag: p1.ETag }]))).toEqual({
      name: "NoSuchUpload",
      status: 404,
    });
  });
});

it("refuses what it does not implement (ACLs) with NotImplemented, not the plain operation", async () => {
  expect(await errorOf(s3.send(new GetBucketAclCommand({ Bucket: "media" })))).toEqual({
    name: "NotImplemented",
    status: 501,
  });
});

describe("signatures", () => {
  it("serves a presigned GET to plain fetch and refuses it once X-Amz-Expires has passed", async () => {
    await s3.send(new PutObjectCommand({ Bucket: "media", Key: "shared/clip.mp4", Body: "presigned!" }));
    const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: "media", Key: "shared/clip.mp4" }), {
      expiresIn: 60,
    });
    const ok = await fetch(url);
    expect([ok.status, await ok.text()]).toEqual([200, "presigned!"]);
    const download = await getSignedUrl(
      s3,
      new GetObjectCommand({
        Bucket: "media",
        Key: "shared/clip.mp4",
        ResponseContentDisposition: 'attachment; filename="clip.mp4"',
      }),
      { expiresIn: 60 },
    );
    const attached = await fetch(download);
    expect(attached.headers.get("content-disposition")).toBe('attachment; filename="clip.mp4"');
    const old = await getSignedUrl(s3, new GetObjectCommand({ Bucket: "media", Key: "shared/clip.mp4" }), {
      expiresIn: 1,
      signingDate: new Date(Date.now() - 60_000),
    });
    const expired = await fetch(old);
    expect(expired.status).toBe(403);
    expect(await expired.text()).toMatch(/<Code>AccessDenied<\/Code><Message>Request has expired/);
    const tampered = await fetch(url.replace("shared/clip.mp4", "shared/other.mp4"));
    expect(tampered.status).toBe(403);
    expect(await tampered.text()).toContain("<Code>SignatureDoesNotMatch</Code>");
  });

  it("answers a wrong secret with SignatureDoesNotMatch and an unsigned request with AccessDenied", async () => {
    const wrong = region.client(S3Client, {
      forcePathStyle: true,
      credentials: { accessKeyId: region.credentials.accessKeyId, secretAccessKey: "wrong" },
    });
    expect(await errorOf(wrong.send(new ListObjectsV2Command({ Bucket: "media" })))).toEqual({
      name: "SignatureDoesNotMatch",
      status: 403,
    });
    const anonymous = await fetch(`${region.endpoint}/media/range`);
    expect(anonymous.status).toBe(403);
    expect(await anonymous.text()).toContain("<Code>AccessDenied</Code>");
  });
});
