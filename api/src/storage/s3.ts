import { createReadStream, createWriteStream } from "node:fs";
import { stat } from "node:fs/promises";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { type ByteRange, contentTypeOf, type ObjectInfo, type ObjectStore } from "./objects.js";

// A bucket as an ObjectStore: the service's own storage on AWS, and the `s3://` inputs and outputs.

export class S3ObjectStore implements ObjectStore {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    private readonly prefix = "",
  ) {}

  get description() {
    return `s3://${this.bucket}/${this.prefix}`;
  }

  async put(key: string, body: Readable, contentType: string, size?: number): Promise<number> {
    if (size === undefined) throw new Error("an S3 upload needs its size");
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: this.prefix + key,
        Body: body,
        ContentLength: size,
        ContentType: contentType,
      }),
    );
    return size;
  }

  async putFile(key: string, path: string): Promise<number> {
    const { size } = await stat(path);
    return this.put(key, createReadStream(path), contentTypeOf(key), size);
  }

  async info(key: string): Promise<ObjectInfo | undefined> {
    try {
      const out = await this.client.send(
        new HeadObjectCommand({ Bucket: this.bucket, Key: this.prefix + key }),
      );
      return { size: out.ContentLength ?? 0, contentType: out.ContentType ?? contentTypeOf(key) };
    } catch (error) {
      if ((error as { name?: string }).name === "NotFound") return undefined;
      throw error;
    }
  }

  async read(key: string, range?: ByteRange): Promise<Readable> {
    const out = await this.client.send(
      new GetObjectCommand({
        Bucket: this.bucket,
        Key: this.prefix + key,
        ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}),
      }),
    );
    return out.Body as Readable;
  }

  async download(key: string, destination: string): Promise<number> {
    await pipeline(await this.read(key), createWriteStream(destination));
    return (await stat(destination)).size;
  }

  async removePrefix(prefix: string): Promise<void> {
    // A page is at most 1000 keys, as many as one DeleteObjects takes.
    for (let page = 0; page < 1000; page++) {
      const listed = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.prefix + prefix }),
      );
      const keys = (listed.Contents ?? []).flatMap((o) => (o.Key ? [{ Key: o.Key }] : []));
      if (keys.length === 0) return;
      await this.client.send(new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: keys } }));
      if (!listed.IsTruncated) return;
    }
  }
}
