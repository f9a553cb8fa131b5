import {
  BatchCheckLayerAvailabilityCommand,
  BatchGetImageCommand,
  CompleteLayerUploadCommand,
  DescribeRepositoriesCommand,
  type ECRClient,
  InitiateLayerUploadCommand,
  PutImageCommand,
  UploadLayerPartCommand,
} from "@aws-sdk/client-ecr";
import { awsErrorName, ImageError } from "./errors.js";
import { ACCEPTED_MANIFEST_MEDIA_TYPES } from "./media-types.js";

// The registry side of a push, through the ECR API only (what the docker client does through the
// ECR proxy): blob availability, chunked blob upload, manifest put.

/** ECR's documented maximum for one UploadLayerPart. */
export const MAX_PART_SIZE = 20 * 1024 * 1024;
/** ECR requires every part but the last to be at least 5 MiB. */
export const DEFAULT_PART_SIZE = 5 * 1024 * 1024;

export type BlobProgress =
  | { kind: "blob-exists"; digest: string; size: number }
  | { kind: "blob-upload"; digest: string; uploaded: number; size: number }
  | { kind: "blob-done"; digest: string; size: number };

export interface UploadOptions {
  /** Bytes per UploadLayerPart; ECR's own partSize hint (InitiateLayerUpload) wins when it is smaller. */
  partSize?: number;
  onProgress?: (event: BlobProgress) => void;
}

/** Runs one ECR call and turns its failure into an ImageError that names the call and the cause. */
export async function ecrCall<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof ImageError) throw error;
    const name = awsErrorName(error) ?? "Error";
    const message = error instanceof Error ? error.message : String(error);
    throw new ImageError(`${what} failed: ${name}: ${message}`, name);
  }
}

/** The repository's URI (`<registry>/<name>`); a missing repository is a clear error. */
export async function repositoryUri(ecr: ECRClient, repositoryName: string): Promise<string> {
  try {
    const out = await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [repositoryName] }));
    const uri = out.repositories?.[0]?.repositoryUri;
    if (!uri) throw new ImageError(`ECR did not return a URI for repository ${repositoryName}`);
    return uri;
  } catch (error) {
    if (awsErrorName(error) === "RepositoryNotFoundException") {
      throw new ImageError(
        `repository "${repositoryName}" does not exist in this registry (npm start creates the local ones; Pulumi creates them on AWS)`,
        "RepositoryNotFoundException",
      );
    }
    return ecrCall(`DescribeRepositories ${repositoryName}`, () => Promise.reject(error));
  }
}

/** The digests among `digests` that the repository already holds. */
export async function availableBlobs(ecr: ECRClient, repositoryName: string, digests: string[]) {
  const available = new Set<string>();
  for (let i = 0; i < digests.length; i += 100) {
    const batch = digests.slice(i, i + 100);
    const out = await ecrCall(`BatchCheckLayerAvailability in ${repositoryName}`, () =>
      ecr.send(new BatchCheckLayerAvailabilityCommand({ repositoryName, layerDigests: batch })),
    );
    for (const layer of out.layers ?? []) {
      if (layer.layerAvailability === "AVAILABLE" && layer.layerDigest) available.add(layer.layerDigest);
    }
  }
  return available;
}

/** InitiateLayerUpload, UploadLayerPart per chunk, CompleteLayerUpload. */
export async function uploadBlob(
  ecr: ECRClient,
  repositoryName: string,
  blob: { digest: string; bytes: Uint8Array },
  options: UploadOptions = {},
): Promise<void> {
  const size = blob.bytes.length;
  if (size === 0) throw new ImageError(`blob ${blob.digest} is empty; a registry blob has content`);
  const started = await ecrCall(`InitiateLayerUpload in ${repositoryName}`, () =>
    ecr.send(new InitiateLayerUploadCommand({ repositoryName })),
  );
  const uploadId = started.uploadId;
  if (!uploadId) throw new ImageError(`InitiateLayerUpload in ${repositoryName} returned no uploadId`);
  const partSize = choosePartSize(options.partSize, started.partSize);
  for (let first = 0; first < size; first += partSize) {
    const last = Math.min(first + partSize, size) - 1;
    await ecrCall(`UploadLayerPart ${blob.digest} bytes ${first}-${last}`, () =>
      ecr.send(
        new UploadLayerPartCommand({
          repositoryName,
          uploadId,
          partFirstByte: first,
          partLastByte: last,
          layerPartBlob: blob.bytes.subarray(first, last + 1),
        }),
      ),
    );
    options.onProgress?.({ kind: "blob-upload", digest: blob.digest, uploaded: last + 1, size });
  }
  try {
    await ecr.send(new CompleteLayerUploadCommand({ repositoryName, uploadId, layerDigests: [blob.digest] }));
  } catch (error) {
    // Someone (a parallel push) completed the same blob first: the registry has it, which is the goal.
    if (awsErrorName(error) !== "LayerAlreadyExistsException") {
      await ecrCall(`CompleteLayerUpload ${blob.digest}`, () => Promise.reject(error));
    }
  }
  options.onProgress?.({ kind: "blob-done", digest: blob.digest, size });
}

export function choosePartSize(requested: number | undefined, registryHint: number | undefined): number {
  const wanted = requested ?? DEFAULT_PART_SIZE;
  const hinted = registryHint && registryHint > 0 ? Math.min(wanted, registryHint) : wanted;
  return Math.max(1, Math.min(hinted, MAX_PART_SIZE));
}

export interface ManifestPut {
  manifestBytes: Uint8Array;
  mediaType: string;
  digest: string;
  tag: string;
}

/**
 * PutImage. Re-putting the digest a tag already points at succeeds as "already there"; a tag that
 * points at another digest in an IMMUTABLE repository is refused with ECR's error, explained.
 */
export async function putManifest(
  ecr: ECRClient,
  repositoryName: string,
  put: ManifestPut,
): Promise<{ alreadyExisted: boolean }> {
  try {
    const out = await ecr.send(
      new PutImageCommand({
        repositoryName,
        imageManifest: Buffer.from(put.manifestBytes).toString("utf8"),
        imageManifestMediaType: put.mediaType,
        imageTag: put.tag,
        imageDigest: put.digest,
      }),
    );
    const stored = out.image?.imageId?.imageDigest;
    if (stored && stored !== put.digest) {
      throw new ImageError(
        `ECR stored ${repositoryName}:${put.tag} as ${stored}, but the manifest is ${put.digest}`,
      );
    }
    return { alreadyExisted: false };
  } catch (error) {
    const name = awsErrorName(error);
    if (name === "ImageAlreadyExistsException") return { alreadyExisted: true };
    if (name === "ImageTagAlreadyExistsException") {
      const existing = await taggedDigest(ecr, repositoryName, put.tag);
      if (existing === put.digest) return { alreadyExisted: true };
      throw new ImageError(
        `ImageTagAlreadyExistsException: tag "${put.tag}" in repository ${repositoryName} already points to ` +
          `${existing ?? "another image"}, and the repository's tags are immutable; this image is ${put.digest}. ` +
          "Push it under a new tag (the default tag is the git commit: commit the change).",
        "ImageTagAlreadyExistsException",
      );
    }
    return ecrCall(`PutImage ${repositoryName}:${put.tag}`, () => Promise.reject(error));
  }
}

/** The digest a tag points at, or undefined when the tag does not exist. */
export async function taggedDigest(ecr: ECRClient, repositoryName: string, tag: string) {
  const found = await getManifest(ecr, repositoryName, { imageTag: tag });
  return found?.digest;
}

export interface FetchedManifest {
  digest: string;
  mediaType: string;
  text: string;
}

/** BatchGetImage of one image by tag or digest; undefined when the repository has no such image. */
export async function getManifest(
  ecr: ECRClient,
  repositoryName: string,
  imageId: { imageTag: string } | { imageDigest: string },
): Promise<FetchedManifest | undefined> {
  const out = await ecrCall(`BatchGetImage from ${repositoryName}`, () =>
    ecr.send(
      new BatchGetImageCommand({
        repositoryName,
        imageIds: [imageId],
        acceptedMediaTypes: ACCEPTED_MANIFEST_MEDIA_TYPES,
      }),
    ),
  );
  const image = out.images?.[0];
  if (!image?.imageManifest || !image.imageId?.imageDigest) return undefined;
  return {
    digest: image.imageId.imageDigest,
    mediaType: image.imageManifestMediaType ?? ACCEPTED_MANIFEST_MEDIA_TYPES[0]!,
    text: image.imageManifest,
  };
}
