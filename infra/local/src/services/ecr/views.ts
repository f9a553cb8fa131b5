import type { ImageId, ImageMiss, ImageRecord, RepositoryRecord } from "./model.js";

// ECR records in the shapes the API returns.

export function repositoryView(repo: RepositoryRecord) {
  return {
    repositoryArn: repo.arn,
    registryId: repo.registryId,
    repositoryName: repo.name,
    repositoryUri: repo.uri,
    createdAt: new Date(repo.createdAt),
    imageTagMutability: repo.tagMutability,
    imageScanningConfiguration: { scanOnPush: repo.scanOnPush },
    encryptionConfiguration: { encryptionType: "AES256" },
  };
}

export function imageView(repo: RepositoryRecord, image: ImageRecord, id: ImageId) {
  return {
    registryId: repo.registryId,
    repositoryName: repo.name,
    imageId: id,
    imageManifest: image.manifest,
    imageManifestMediaType: image.mediaType,
  };
}

export function imageDetailView(repo: RepositoryRecord, image: ImageRecord) {
  return {
    registryId: repo.registryId,
    repositoryName: repo.name,
    imageDigest: image.digest,
    imageTags: image.tags.length > 0 ? image.tags : undefined,
    imageSizeInBytes: image.sizeInBytes,
    imagePushedAt: new Date(image.pushedAt),
    imageManifestMediaType: image.mediaType,
    artifactMediaType: "application/vnd.docker.container.image.v1+json",
  };
}

const MISS_REASONS: Record<ImageMiss, string> = {
  ImageTagDoesNotMatchDigest: "Invalid image tag for image digest",
  ImageNotFound: "Requested image not found",
};

export function imageFailureView(id: ImageId, miss: ImageMiss) {
  return { imageId: id, failureCode: miss, failureReason: MISS_REASONS[miss] };
}

export function lifecyclePolicyView(repo: RepositoryRecord, text: string | undefined) {
  return { registryId: repo.registryId, repositoryName: repo.name, lifecyclePolicyText: text };
}

export function layerView(digest: string, size: number | undefined) {
  return size === undefined
    ? { layerDigest: digest, layerAvailability: "UNAVAILABLE" }
    : {
        layerDigest: digest,
        layerAvailability: "AVAILABLE",
        layerSize: size,
        mediaType: "application/vnd.docker.image.rootfs.diff.tar.gzip",
      };
}
