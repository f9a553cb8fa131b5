import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { CreateBucketCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { startTestRegion, type TestRegion } from "@platform/local-region/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { S3ObjectStore } from "../src/storage/s3.js";

// The API's S3 code path, unchanged, against the local region's S3: the client is built as
// service.ts builds it (`new S3Client({})`), from nothing but the environment a process gets,
// either the region's profile files (npm start) or AWS_ENDPOINT_URL and keys (an ECS task).

let region: TestRegion;
const dir = mkdtempSync(join(tmpdir(), "api-s3-"));
const saved = { ...process.env };
const AWS_VARS = /^AWS_/;

beforeAll(async () => {
  region = await startTestRegion();
  await region.client(S3Client).send(new CreateBucketCommand({ Bucket: "api-objects" }));
});

afterAll(async () => {
  restoreEnv();
  await region?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

function restoreEnv(): void {
  for (const name of Object.keys(process.env)) if (AWS_VARS.test(name)) delete process.env[name];
  for (const [name, value] of Object.entries(saved)) if (AWS_VARS.test(name)) process.env[name] = value;
}

/** Only the given AWS_* variables, as a process started with them would see. */
function withAwsEnv(env: Record<string, string>): S3Client {
  for (const name of Object.keys(process.env)) if (AWS_VARS.test(name)) delete process.env[name];
  Object.assign(process.env, env);
  return new S3Client({});
}

const md5 = (b: Buffer) => createHash("md5").update(b).digest("hex");
const read = async (stream: Readable) => {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
};

async function roundTrip(client: S3Client, prefix: string): Promise<void> {
  const store = new S3ObjectStore(client, "api-objects", "objects/");
  const data = randomBytes(3 * 1024 * 1024 + 17);
  expect(
    await store.put(
      `${prefix}/in.mp4`,
      Readable.from([data.subarray(0, 1000), data.subarray(1000)]),
      "video/mp4",
      data.length,
    ),
  ).toBe(data.length);
  expect(await store.info(`${prefix}/in.mp4`)).toEqual({ size: data.length, contentType: "video/mp4" });
  expect(md5(await read(await store.read(`${prefix}/in.mp4`)))).toBe(md5(data));
  const range = await read(await store.read(`${prefix}/in.mp4`, { start: 1_000_000, end: 1_000_099 }));
  expect(range).toEqual(data.subarray(1_000_000, 1_000_100));
  const file = join(dir, `${prefix}-out.mp4`);
  expect(await store.download(`${prefix}/in.mp4`, file)).toBe(data.length);
  expect(md5(readFileSync(file))).toBe(md5(data));
  const json = join(dir, `${prefix}.json`);
  writeFileSync(json, '{"ok":true}');
  await store.putFile(`${prefix}/result.json`, json);
  expect(await store.info(`${prefix}/result.json`)).toEqual({ size: 11, contentType: "application/json" });
  expect(await store.info(`${prefix}/missing.mp4`)).toBeUndefined();
  await expect(store.read(`${prefix}/missing.mp4`)).rejects.toMatchObject({ name: "NoSuchKey" });
  const listed = await client.send(
    new ListObjectsV2Command({ Bucket: "api-objects", Prefix: `objects/${prefix}/` }),
  );
  expect(listed.Contents?.map((c) => c.Key).sort()).toEqual([
    `objects/${prefix}/in.mp4`,
    `objects/${prefix}/result.json`,
  ]);
}

describe("S3ObjectStore on the local region", () => {
  it("round-trips with the region's profile files (AWS_PROFILE, AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE)", async () => {
    await roundTrip(withAwsEnv(region.awsEnv()), "profile");
  });

  it("round-trips with AWS_ENDPOINT_URL, AWS_REGION and keys in the environment (an ECS task's)", async () => {
    const client = withAwsEnv({
      AWS_ENDPOINT_URL: region.endpoint,
      AWS_REGION: "eu-west-1",
      AWS_ACCESS_KEY_ID: region.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: region.credentials.secretAccessKey,
    });
    await roundTrip(client, "task");
  });
});
