import type { ECRClient } from "@aws-sdk/client-ecr";
import {
  availableBlobs,
  type BlobProgress,
  type ManifestPut,
  putManifest,
  repositoryUri,
  type UploadOptions,
  uploadBlob,
} from "./ecr-registry.js";
import { MANIFEST_MEDIA_TYPE } from "./media-types.js";
import { type PackedBlob, type PackedImage, packedBlobs } from "./pack.js";

export type PushProgress = BlobProgress | ManifestProgress;

export type ManifestProgress = { kind: "manifest"; digest: string; tag: string; alreadyExisted: boolean };

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
  const manifest = {
    manifestBytes: image.manifestBytes,
    mediaType: MANIFEST_MEDIA_TYPE,
    digest: image.manifestDigest,
    tag,
  };
  const bytesOf = async (blob: PackedBlob) => blob.bytes;
  const { alreadyExisted, uploadedBlobs, uploadedBytes } = await putImage(
    ecr,
    repositoryName,
    { blobs, bytesOf, manifest },
    options,
  );
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

export interface ImageToPut<Blob extends { digest: string; size: number }> {
  /** Every blob the manifest references (config and layers). */
  blobs: Blob[];
  /** The bytes of a blob the repository lacks, asked for only then. */
  bytesOf: (blob: Blob) => Promise<Uint8Array>;
  manifest: ManifestPut;
}

/**
 * The registry half of a push or a promotion: upload the blobs the repository lacks, then put the
 * manifest (a registry refuses a manifest whose blobs it does not hold).
 */
export async function putImage<Blob extends { digest: string; size: number }>(
  ecr: ECRClient,
  repositoryName: string,
  image: ImageToPut<Blob>,
  options: UploadOptions & { onProgress?: (event: BlobProgress | ManifestProgress) => void } = {},
): Promise<{ alreadyExisted: boolean; uploadedBlobs: number; uploadedBytes: number }> {
  const present = await availableBlobs(
    ecr,
    repositoryName,
    image.blobs.map((b) => b.digest),
  );
  let uploadedBytes = 0;
  let uploadedBlobs = 0;
  for (const blob of image.blobs) {
    if (present.has(blob.digest)) {
      options.onProgress?.({ kind: "blob-exists", digest: blob.digest, size: blob.size });
      continue;
    }
    const bytes = await image.bytesOf(blob);
    await uploadBlob(ecr, repositoryName, { digest: blob.digest, bytes }, options);
    uploadedBytes += bytes.length;
    uploadedBlobs += 1;
  }
  const { manifest } = image;
  const { alreadyExisted } = await putManifest(ecr, repositoryName, manifest);
  options.onProgress?.({ kind: "manifest", digest: manifest.digest, tag: manifest.tag, alreadyExisted });
  return { alreadyExisted, uploadedBlobs, uploadedBytes };
}
