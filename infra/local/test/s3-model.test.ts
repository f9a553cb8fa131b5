import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { AwsError } from "../src/contracts.js";
import {
  emptyS3State,
  MIN_PART_SIZE,
  multipartEtag,
  resolveRange,
  S3Model,
  type S3Object,
} from "../src/services/s3/model.js";

// S3's rules on plain state: no wire, no disk.

const object = (blob: string, size = 1): S3Object => ({
  size,
  etag: "d41d8cd98f00b204e9800998ecf8427e",
  contentType: "binary/octet-stream",
  lastModified: 0,
  blob,
  metadata: {},
  checksums: {},
});
const code = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return error instanceof AwsError ? `${error.code} ${error.status}` : String(error);
  }
  return "ok";
};
const model = () => {
  const m = new S3Model(emptyS3State());
  m.createBucket("media", "us-east-1", 0);
  return m;
};

describe("buckets", () => {
  it("refuses invalid names, a second create and deleting a bucket with objects", () => {
    const m = model();
    expect(code(() => m.createBucket("media", "us-east-1", 0))).toBe("BucketAlreadyOwnedByYou 409");
    for (const bad of ["ab", "Upper", "a..b", "192.168.0.1", "-dash", `${"a".repeat(64)}`])
      expect(code(() => m.createBucket(bad, "us-east-1", 0))).toBe("InvalidBucketName 400");
    m.putObject("media", "k", object("b1"));
    expect(code(() => m.deleteBucket("media"))).toBe("BucketNotEmpty 409");
    expect(m.deleteObject("media", "k")).toBe("b1");
    m.deleteBucket("media");
    expect(code(() => m.bucket("media"))).toBe("NoSuchBucket 404");
    expect(code(() => m.object("media", "k"))).toBe("NoSuchBucket 404");
  });

  it("says which blob a replaced object leaves behind, and NoSuchKey for a missing one", () => {
    const m = model();
    expect(m.putObject("media", "k", object("b1"))).toBeUndefined();
    expect(m.putObject("media", "k", object("b2"))).toBe("b1");
    expect(code(() => m.object("media", "other"))).toBe("NoSuchKey 404");
    expect(m.deleteObject("media", "other")).toBeUndefined();
  });
});

describe("ListObjectsV2", () => {
  const listing = () => {
    const m = model();
    for (const key of ["a/1", "a/2", "b", "c/x/1", "c/y", "d", "é"]) m.putObject("media", key, object(key));
    return m;
  };
  const page = (m: S3Model, r: Partial<Parameters<S3Model["list"]>[1]>) => {
    const out = m.list("media", { maxKeys: 1000, ...r });
    return {
      keys: out.objects.map((o) => o.key),
      prefixes: out.commonPrefixes,
      next: out.nextToken,
      truncated: out.truncated,
    };
  };

  it("rolls keys up at the delimiter after the prefix, in UTF-8 order", () => {
    const m = listing();
    expect(page(m, { delimiter: "/" })).toMatchObject({ keys: ["b", "d", "é"], prefixes: ["a/", "c/"] });
    expect(page(m, { prefix: "c/", delimiter: "/" })).toMatchObject({ keys: ["c/y"], prefixes: ["c/x/"] });
    expect(page(m, { startAfter: "c/y" }).keys).toEqual(["d", "é"]);
  });

  it("pages with max-keys: a common prefix counts once and is not repeated on the next page", () => {
    const m = listing();
    const seen: string[] = [];
    let token: string | undefined;
    for (let i = 0; i < 10; i++) {
      const p = page(m, { delimiter: "/", maxKeys: 1, continuationToken: token });
      seen.push(...p.prefixes, ...p.keys);
      token = p.next;
      if (!p.truncated) break;
    }
    expect(seen).toEqual(["a/", "b", "c/", "d", "é"]);
    expect(code(() => m.list("media", { maxKeys: 1, continuationToken: "not+a+token" }))).toBe(
      "InvalidArgument 400",
    );
  });
});

describe("multipart", () => {
  const md5 = (text: string) => createHash("md5").update(text).digest("hex");
  const part = (blob: string, size: number) => ({
    size,
    etag: md5(blob),
    blob,
    lastModified: 0,
    checksums: {},
  });
  const upload = () => {
    const m = model();
    m.createUpload("u1", {
      bucket: "media",
      key: "big",
      initiated: 0,
      contentType: "video/mp4",
      metadata: {},
    });
    return m;
  };

  it("completes with S3's ETag (MD5 of the parts' MD5s, -N) and hands back the parts' blobs", () => {
    const m = upload();
    m.putPart("u1", "media", "big", 1, part("p1", MIN_PART_SIZE));
    expect(m.putPart("u1", "media", "big", 1, part("p1b", MIN_PART_SIZE))).toBe("p1");
    m.putPart("u1", "media", "big", 2, part("p2", 10));
    const done = m.completion("u1", "media", "big", [
      { partNumber: 1, etag: `"${md5("p1b")}"` },
      { partNumber: 2, etag: md5("p2") },
    ]);
    const expected = createHash("md5")
      .update(Buffer.concat([Buffer.from(md5("p1b"), "hex"), Buffer.from(md5("p2"), "hex")]))
      .digest("hex");
    expect(done.etag).toBe(`${expected}-2`);
    expect(done.size).toBe(MIN_PART_SIZE + 10);
    expect(multipartEtag([md5("p1b"), md5("p2")])).toBe(done.etag);
    expect(m.finishUpload("u1", "media", "big").sort()).toEqual(["p1b", "p2"]);
    expect(code(() => m.upload("u1", "media", "big"))).toBe("NoSuchUpload 404");
  });

  it("refuses small parts but the last, unknown parts or ETags, wrong order and part numbers", () => {
    const m = upload();
    m.putPart("u1", "media", "big", 1, part("p1", MIN_PART_SIZE - 1));
    m.putPart("u1", "media", "big", 2, part("p2", 1));
    const complete = (parts: [number, string][]) => () =>
      m.completion(
        "u1",
        "media",
        "big",
        parts.map(([partNumber, etag]) => ({ partNumber, etag })),
      );
    expect(
      code(
        complete([
          [1, md5("p1")],
          [2, md5("p2")],
        ]),
      ),
    ).toBe("EntityTooSmall 400");
    expect(code(complete([[1, md5("p1")]]))).toBe("ok");
    expect(code(complete([[1, md5("p2")]]))).toBe("InvalidPart 400");
    expect(code(complete([[3, md5("p1")]]))).toBe("InvalidPart 400");
    expect(
      code(
        complete([
          [2, md5("p2")],
          [1, md5("p1")],
        ]),
      ),
    ).toBe("InvalidPartOrder 400");
    expect(code(() => m.putPart("u1", "media", "big", 10_001, part("x", 1)))).toBe("InvalidArgument 400");
    expect(code(() => m.upload("u1", "media", "other-key"))).toBe("NoSuchUpload 404");
    expect(code(() => m.deleteBucket("media"))).toBe("BucketNotEmpty 409");
  });
});

describe("ranges", () => {
  it("reads bytes=a-b, a-, -n as S3 does; ignores what it does not parse; InvalidRange past the end", () => {
    expect(resolveRange("bytes=0-4", 10)).toEqual({ start: 0, end: 4 });
    expect(resolveRange("bytes=5-", 10)).toEqual({ start: 5, end: 9 });
    expect(resolveRange("bytes=8-100", 10)).toEqual({ start: 8, end: 9 });
    expect(resolveRange("bytes=-3", 10)).toEqual({ start: 7, end: 9 });
    expect(resolveRange("bytes=-30", 10)).toEqual({ start: 0, end: 9 });
    expect(resolveRange(undefined, 10)).toBeUndefined();
    expect(resolveRange("items=0-1", 10)).toBeUndefined();
    expect(resolveRange("bytes=5-2", 10)).toBeUndefined();
    expect(code(() => resolveRange("bytes=10-", 10))).toBe("InvalidRange 416");
    expect(code(() => resolveRange("bytes=-0", 10))).toBe("InvalidRange 416");
    expect(code(() => resolveRange("bytes=0-", 0))).toBe("InvalidRange 416");
  });
});
