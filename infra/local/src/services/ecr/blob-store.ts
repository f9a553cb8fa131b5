import { createHash, randomUUID } from "node:crypto";
import {
  appendFileSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
} from "node:fs";
import { join } from "node:path";
import { AwsError } from "../../contracts.js";
import { moveIntoPlace } from "../../state/atomic-file.js";

// Content-addressed blobs (layers, image configs) under <stateDir>/ecr/blobs/sha256/<hex>, and the
// chunked uploads that create them. A blob is in place (fsynced, renamed) before its upload is
// acknowledged as complete.

const DIGEST = /^sha256:[a-f0-9]{64}$/;

export function isDigest(s: string): boolean {
  return DIGEST.test(s);
}

interface Upload {
  repositoryName: string;
  file: string;
  size: number;
}

export class BlobStore {
  private readonly blobs: string;
  private readonly uploadsDir: string;
  private readonly uploads = new Map<string, Upload>();

  constructor(stateDir: string) {
    this.blobs = join(stateDir, "ecr", "blobs", "sha256");
    this.uploadsDir = join(stateDir, "ecr", "uploads");
    mkdirSync(this.blobs, { recursive: true });
    rmSync(this.uploadsDir, { recursive: true, force: true });
    mkdirSync(this.uploadsDir, { recursive: true });
  }

  path(digest: string): string {
    if (!isDigest(digest))
      throw new AwsError("InvalidParameterException", `Invalid layer digest '${digest}'`);
    return join(this.blobs, digest.slice("sha256:".length));
  }

  has(digest: string): boolean {
    return isDigest(digest) && existsSync(this.path(digest));
  }

  size(digest: string): number {
    return statSync(this.path(digest)).size;
  }

  read(digest: string): Buffer {
    return readFileSync(this.path(digest));
  }

  initiate(repositoryName: string): string {
    const uploadId = randomUUID();
    const file = join(this.uploadsDir, uploadId);
    closeSync(openSync(file, "w", 0o600));
    this.uploads.set(uploadId, { repositoryName, file, size: 0 });
    return uploadId;
  }

  private upload(repositoryName: string, uploadId: string): Upload {
    const upload = this.uploads.get(uploadId);
    if (!upload || upload.repositoryName !== repositoryName) {
      throw new AwsError(
        "UploadNotFoundException",
        `The upload with ID '${uploadId}' was not found in the repository '${repositoryName}'`,
      );
    }
    return upload;
  }

  appendPart(
    repositoryName: string,
    uploadId: string,
    first: number | undefined,
    last: number | undefined,
    data: Buffer,
  ): number {
    const upload = this.upload(repositoryName, uploadId);
    const from = first ?? upload.size;
    if (from !== upload.size) {
      throw new AwsError(
        "InvalidLayerPartException",
        `The layer part must start at byte ${upload.size}; it starts at ${from}`,
      );
    }
    if (last !== undefined && last - from + 1 !== data.length) {
      throw new AwsError(
        "InvalidLayerPartException",
        `The layer part spans bytes ${from}-${last} but carries ${data.length} bytes`,
      );
    }
    appendFileSync(upload.file, data);
    upload.size += data.length;
    return upload.size - 1;
  }

  /** Verifies the digest and moves the upload into the store. */
  complete(repositoryName: string, uploadId: string, digest: string): void {
    const upload = this.upload(repositoryName, uploadId);
    if (!isDigest(digest)) throw new AwsError("InvalidLayerException", `Invalid layer digest '${digest}'`);
    const actual = `sha256:${createHash("sha256").update(readFileSync(upload.file)).digest("hex")}`;
    if (actual !== digest) {
      this.uploads.delete(uploadId);
      rmSync(upload.file, { force: true });
      throw new AwsError(
        "InvalidLayerException",
        `The layer digest '${digest}' does not match the uploaded content (${actual})`,
      );
    }
    this.uploads.delete(uploadId);
    if (this.has(digest)) {
      rmSync(upload.file, { force: true });
      throw new AwsError(
        "LayerAlreadyExistsException",
        `The layer '${digest}' already exists in the repository '${repositoryName}'`,
      );
    }
    moveIntoPlace(upload.file, this.path(digest));
  }
}
