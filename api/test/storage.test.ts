import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, Readable } from "node:stream";
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { createLogger } from "../src/log.js";
import { FolderObjectStore, userKey } from "../src/storage/objects.js";
import { S3ObjectStore } from "../src/storage/s3.js";

// S3 cannot run here (the local region has no S3): its client is mocked. The folder store is real.

const s3 = mockClient(S3Client);
const dir = mkdtempSync(join(tmpdir(), "api-storage-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("S3 object store", () => {
  beforeEach(() => s3.reset());

  it("uploads a file with its size and type under the prefix", async () => {
    s3.on(PutObjectCommand).resolves({});
    const path = join(dir, "out.mp4");
    writeFileSync(path, Buffer.alloc(1234, 7));
    const store = new S3ObjectStore(new S3Client({ region: "eu-west-1" }), "env-bucket", "objects/");
    expect(await store.putFile("users/u/a/out.mp4", path)).toBe(1234);
    const input = s3.commandCalls(PutObjectCommand)[0]!.args[0].input;
    expect([input.Bucket, input.Key, input.ContentLength, input.ContentType]).toEqual([
      "env-bucket",
      "objects/users/u/a/out.mp4",
      1234,
      "video/mp4",
    ]);
  });

  it("reads byte ranges and maps a missing object to undefined", async () => {
    s3.on(HeadObjectCommand, { Key: "objects/there.mp4" }).resolves({
      ContentLength: 10,
      ContentType: "video/mp4",
    });
    s3.on(HeadObjectCommand, { Key: "objects/gone.mp4" }).rejects(
      Object.assign(new Error("not found"), { name: "NotFound" }),
    );
    // Our store only streams the body, so a plain Readable stands in for the SDK's stream.
    s3.on(GetObjectCommand).callsFake(() => ({ Body: Readable.from([Buffer.from("2345")]) }));
    const store = new S3ObjectStore(new S3Client({ region: "eu-west-1" }), "env-bucket", "objects/");
    expect(await store.info("there.mp4")).toEqual({ size: 10, contentType: "video/mp4" });
    expect(await store.info("gone.mp4")).toBeUndefined();
    const body = await store.read("there.mp4", { start: 2, end: 5 });
    const chunks: Buffer[] = [];
    for await (const chunk of body) chunks.push(Buffer.from(chunk));
    expect(Buffer.concat(chunks).toString()).toBe("2345");
    expect(s3.commandCalls(GetObjectCommand)[0]!.args[0].input.Range).toBe("bytes=2-5");
  });
});

describe("folder object store", () => {
  it("keeps each user under their own prefix and never leaves its folder", async () => {
    const store = new FolderObjectStore(join(dir, "objects"));
    await store.put(userKey("alice", "a/b.mp4"), Readable.from([Buffer.from("hello")]));
    expect(readFileSync(join(dir, "objects", "users", "alice", "a", "b.mp4"), "utf8")).toBe("hello");
    expect(await store.info(userKey("bob", "a/b.mp4"))).toBeUndefined();
    expect(() => userKey("alice", "../bob/a/b.mp4")).toThrow(/'\.\.'/);
    await expect(store.info("../../etc/passwd")).resolves.toBeUndefined();
    await expect(store.read("../../etc/passwd")).rejects.toThrow(/escapes the storage folder/);
  });

  it("hands a job its input and takes its output, each a copy a later put does not change", async () => {
    const store = new FolderObjectStore(join(dir, "objects"));
    const key = userKey("alice", "in/clip.mp4");
    await store.put(key, Readable.from([Buffer.from("first")]));
    const input = join(dir, "job-input");
    expect(await store.download(key, input)).toBe(5);
    const output = join(dir, "job-output.mp4");
    writeFileSync(output, "encoded");
    expect(await store.putFile(userKey("alice", "out/clip.mp4"), output)).toBe(7);
    await store.put(key, Readable.from([Buffer.from("second version")]));
    writeFileSync(output, "overwritten");
    expect(readFileSync(input, "utf8")).toBe("first");
    expect(readFileSync(join(dir, "objects", "users", "alice", "out", "clip.mp4"), "utf8")).toBe("encoded");
    await expect(store.download(userKey("alice", "in/none.mp4"), join(dir, "x"))).rejects.toMatchObject({
      code: "ENOENT",
    });
  });

  it("makes a file handed over the object itself (no copy), and the object outlives the file", async () => {
    const store = new FolderObjectStore(join(dir, "objects"));
    const piece = join(dir, "piece-0000.mkv");
    writeFileSync(piece, "a piece");
    const kept = join(dir, "kept.mkv");
    writeFileSync(kept, "copied");
    expect(await store.putFile("segments/j/piece-0000.mkv", piece, { handOver: true })).toBe(7);
    await store.putFile("segments/j/kept.mkv", kept);
    const object = (name: string) => join(dir, "objects", "segments", "j", name);
    expect(statSync(object("piece-0000.mkv")).ino).toBe(statSync(piece).ino);
    expect(statSync(object("kept.mkv")).ino).not.toBe(statSync(kept).ino);
    rmSync(piece);
    expect(readFileSync(object("piece-0000.mkv"), "utf8")).toBe("a piece");
  });
});

describe("logs", () => {
  it("writes JSON lines with level, message, service, env, version, jobid and userid", async () => {
    const out = new PassThrough();
    const lines: string[] = [];
    out.on("data", (chunk) => lines.push(...String(chunk).split("\n").filter(Boolean)));
    const log = createLogger({ level: "info", environment: "qa", version: "1.4.0", stream: out });
    log.child({ jobid: "j-1", userid: "alice" }).warn("job failed", { errorCode: "INPUT_INVALID" });
    log.debug("not at info level");
    log.info("last line");
    await expect.poll(() => lines.length).toBe(2);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      level: "warn",
      message: "job failed",
      service: "api",
      env: "qa",
      version: "1.4.0",
      jobid: "j-1",
      userid: "alice",
      errorCode: "INPUT_INVALID",
    });
  });
});
