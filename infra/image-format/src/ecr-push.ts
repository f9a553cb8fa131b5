import type { ECRClient } from "@aws-sdk/client-ecr";
import {
  availableBlobs,
  type BlobProgress,
  putManifest,
  repositoryUri,
  type UploadOptions,
  uploadBlob,
} from "./ecr-registry.js";
import { MANIFEST_MEDIA_TYPE } from "./media-types.js";
import { type PackedImage, packedBlobs } from "./pack.js";

export type PushProgress =
  | BlobProgress
  | { kind: "manifest"; digest: string; tag: string; alreadyExisted: boolean };

export interface PushOptions extends UploadOptions {
  onProgress?: (event: PushProgress) => void;
}

export interface PushResult {
  repositoryName: string;
  repositoryUri: string;
  imageDigest: string;
  tag: string;
  /** `<repositoryUri>:<tag>` */
  imageUri: string;
  /** `<repositoryUri>@<digest>`: what a task definition should pin. */
  pinnedUri: string;
  /** True when the tag already pointed at this exact image: nothing changed. */
  alreadyExisted: boolean;
  uploadedBytes: number;
  uploadedBlobs: number;
  skippedBlobs: number;
}

/**
 * Pushes a packed image the way a docker client does, through the ECR API only:
 * BatchCheckLayerAvailability, upload of the missing blobs (config included), then PutImage.
 * The tag goes to ECR as it is: a caller that takes it from a user checks it first.
 */
export async function pushImageToEcr(
  ecr: ECRClient,
  repositoryName: string,
  tag: string,
  image: PackedImage,
  options: PushOptions = {},
): Promise<PushResult> {
  const uri = await repositoryUri(ecr, repositoryName);
  const blobs = packedBlobs(image);
  const present = await availableBlobs(
    ecr,
    repositoryName,
    blobs.map((b) => b.digest),
  );
  let uploadedBytes = 0;
  let uploadedBlobs = 0;
  for (const blob of blobs) {
    if (present.has(blob.digest)) {
      options.onProgress?.({ kind: "blob-exists", digest: blob.digest, size: blob.size });
      continue;
    }
    await uploadBlob(ecr, repositoryName, blob, options);
    uploadedBytes += blob.size;
    uploadedBlobs += 1;
  }
  const { alreadyExisted } = await putManifest(ecr, repositoryName, {
    manifestBytes: image.manifestBytes,
    mediaType: MANIFEST_MEDIA_TYPE,
    digest: image.manifestDigest,
    tag,
  });
  options.onProgress?.({ kind: "manifest", digest: image.manifestDigest, tag, alreadyExisted });
  return {
    repositoryName,
    repositoryUri: uri,
    imageDigest: image.manifestDigest,
    tag,
    imageUri: `${uri}:${tag}`,
    pinnedUri: `${uri}@${image.manifestDigest}`,
    alreadyExisted,
    uploadedBytes,
    uploadedBlobs,
    skippedBlobs: blobs.length - uploadedBlobs,
  };
}
