import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { AWS_CLI, awsCli, startTestRegion, type TestRegion } from "../src/testing/index.js";

// Debian's AWS CLI (botocore, an independent client) against the region's S3: `aws s3 cp` up (9 MiB,
// past the CLI's 8 MiB multipart threshold) and down, `aws s3 ls`, `aws s3api head-object`.

let region: TestRegion;
const dir = mkdtempSync(join(tmpdir(), "s3-cli-"));
const aws = <T>(...args: string[]) => awsCli<T>({ endpoint: region.endpoint, env: region.awsEnv() }, ...args);
/** `aws s3 ...` prints text, not JSON. */
const s3 = (...args: string[]) =>
  new Promise<string>((resolve, reject) =>
    execFile(
      AWS_CLI,
      ["--endpoint-url", region.endpoint, "s3", ...args],
      { env: { PATH: process.env.PATH, HOME: process.env.HOME, ...region.awsEnv() }, timeout: 60_000 },
      (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout)),
    ),
  );

beforeAll(async () => {
  region = await startTestRegion();
});

afterAll(async () => {
  await region?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

const json = (folder: string) => {
  const path = join(folder, "small.json");
  writeFileSync(path, "{}");
  return path;
};
const md5 = (b: Buffer) => createHash("md5").update(b).digest("hex");

it("copies a file up in parts and back, lists it and heads it", async () => {
  const data = randomBytes(9 * 1024 * 1024);
  const file = join(dir, "clip.bin");
  writeFileSync(file, data);
  await s3("mb", "s3://cli-bucket");
  await s3("cp", file, "s3://cli-bucket/videos/clip.bin");
  await s3("cp", file, "s3://cli-bucket/top.bin");
  // botocore lists with encoding-type=url and decodes the names: a space and a plus survive.
  await s3("cp", json(dir), "s3://cli-bucket/a b+c.json");
  const head = await aws<{ ContentLength: number; ETag: string }>(
    "s3api",
    "head-object",
    "--bucket",
    "cli-bucket",
    "--key",
    "videos/clip.bin",
  );
  expect(head.ContentLength).toBe(data.length);
  expect(head.ETag).toMatch(/^"[0-9a-f]{32}-2"$/);
  const back = join(dir, "back.bin");
  await s3("cp", "s3://cli-bucket/videos/clip.bin", back);
  expect(md5(readFileSync(back))).toBe(md5(data));
  const listing = await s3("ls", "s3://cli-bucket/");
  expect(listing).toMatch(/PRE videos\//);
  expect(listing).toMatch(new RegExp(`${data.length} top\\.bin`));
  expect(listing).toMatch(/ 2 a b\+c\.json/);
  const missing = await aws("s3api", "head-object", "--bucket", "cli-bucket", "--key", "nope").catch(
    (e: { stderr: string }) => e.stderr,
  );
  expect(missing).toMatch(/404|Not Found/);
}, 120_000);
