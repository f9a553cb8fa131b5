import { type ECRClient, GetDownloadUrlForLayerCommand } from "@aws-sdk/client-ecr";
import {
  type BlobProgress,
  ecrCall,
  getManifest,
  type ImageManifest,
  manifestBlobs,
  parseManifest,
  putImage,
  repositoryUri,
  sha256Digest,
  type UploadOptions,
} from "@platform/image-format";
import { ImageError } from "./errors.js";
import { type ImageRef, validateRepositoryName, validateTag } from "./reference.js";

export interface PromoteRequest {
  from: ImageRef;
  to: { repositoryName: string; tag: string };
}

export type PromoteProgress =
  | BlobProgress
  | { kind: "blob-download"; digest: string; size: number }
  | { kind: "manifest"; digest: string; tag: string; alreadyExisted: boolean };

export interface PromoteOptions extends UploadOptions {
  onProgress?: (event: PromoteProgress) => void;
  /** Downloads a layer URL (GetDownloadUrlForLayer); global fetch unless given. */
  download?: (url: string) => Promise<Uint8Array>;
}

export interface PromoteResult {
  imageDigest: string;
  repositoryName: string;
  repositoryUri: string;
  tag: string;
  imageUri: string;
  pinnedUri: string;
  alreadyExisted: boolean;
  copiedBlobs: number;
  copiedBytes: number;
}

/**
 * Copies an image from one repository to another under the same digest: the manifest bytes are
 * reused as they are, and the blobs the target lacks are downloaded from the source and uploaded.
 * What runs in prod is byte for byte what was verified in qa.
 */
export async function promoteImage(
  ecr: ECRClient,
  request: PromoteRequest,
  options: PromoteOptions = {},
): Promise<PromoteResult> {
  const target = validateRepositoryName(request.to.repositoryName);
  const tag = validateTag(request.to.tag);
  const source = await readSourceImage(ecr, request.from);
  const uri = await repositoryUri(ecr, target);
  const blobs = manifestBlobs(source.manifest);
  const bytesOf = (blob: { digest: string; size: number }) => {
    options.onProgress?.({ kind: "blob-download", digest: blob.digest, size: blob.size });
    return downloadBlob(ecr, request.from.repositoryName, blob.digest, options.download);
  };
  const manifest = {
    manifestBytes: Buffer.from(source.text, "utf8"),
    mediaType: source.mediaType,
    digest: source.digest,
    tag,
  };
  const put = await putImage(ecr, target, { blobs, bytesOf, manifest }, options);
  const { alreadyExisted, uploadedBlobs: copiedBlobs, uploadedBytes: copiedBytes } = put;
  return {
    imageDigest: source.digest,
    repositoryName: target,
    repositoryUri: uri,
    tag,
    imageUri: `${uri}:${tag}`,
    pinnedUri: `${uri}@${source.digest}`,
    alreadyExisted,
    copiedBlobs,
    copiedBytes,
  };
}

async function readSourceImage(ecr: ECRClient, from: ImageRef) {
  const id = "digest" in from ? { imageDigest: from.digest } : { imageTag: from.tag };
  const label =
    "digest" in from ? `${from.repositoryName}@${from.digest}` : `${from.repositoryName}:${from.tag}`;
  const found = await getManifest(ecr, from.repositoryName, id);
  if (!found)
    throw new ImageError(
      `image ${label} does not exist; push it before promoting it`,
      "ImageNotFoundException",
    );
  // The digest is the identity we promise to keep: check the bytes really hash to it.
  if (sha256Digest(Buffer.from(found.text, "utf8")) !== found.digest) {
    throw new ImageError(
      `the manifest of ${label} does not hash to its digest ${found.digest}; refusing to promote`,
    );
  }
  let manifest: ImageManifest;
  try {
    manifest = parseManifest(found.text);
  } catch (error) {
    throw new ImageError(`${label}: ${(error as Error).message}`);
  }
  return { ...found, manifest };
}

async function downloadBlob(
  ecr: ECRClient,
  repositoryName: string,
  digest: string,
  download: (url: string) => Promise<Uint8Array> = fetchBytes,
): Promise<Uint8Array> {
  const out = await ecrCall(`GetDownloadUrlForLayer ${digest} from ${repositoryName}`, () =>
    ecr.send(new GetDownloadUrlForLayerCommand({ repositoryName, layerDigest: digest })),
  );
  if (!out.downloadUrl) throw new ImageError(`GetDownloadUrlForLayer ${digest} returned no URL`);
  const bytes = await download(out.downloadUrl);
  if (sha256Digest(bytes) !== digest) {
    throw new ImageError(
      `the blob downloaded for ${digest} from ${repositoryName} has another digest; refusing it`,
    );
  }
  return bytes;
}

async function fetchBytes(url: string): Promise<Uint8Array> {
  const response = await fetch(url);
  if (!response.ok) {
    throw new ImageError(`downloading a layer failed: HTTP ${response.status} from ${new URL(url).origin}`);
  }
  return new Uint8Array(await response.arrayBuffer());
}
