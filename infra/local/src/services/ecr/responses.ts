import { randomBytes } from "node:crypto";
import type { Durable, JsonServiceDefinition, OperationHandler } from "../../contracts.js";
import { AwsError } from "../../contracts.js";
import { type Page, paginate } from "../../wire/paging.js";
import {
  type Input,
  optBool,
  optInt,
  optObject,
  optObjectList,
  optString,
  optStringList,
  reqString,
} from "../../wire/params.js";
import type { BlobStore } from "./blob-store.js";
import type { EcrModel, EcrState, ImageId, ImageRecord, RepositoryRecord } from "./model.js";

// ECR's awsJson1_1 adapter (AmazonEC2ContainerRegistry_V20150921), including the layer push path.

export interface EcrWireOptions {
  endpoint: string;
  registryHost: (region: string) => string;
  /** Path of the unsigned layer download route. */
  blobRoute: string;
}

export function ecrService(
  model: EcrModel,
  durable: Durable<EcrState>,
  blobs: BlobStore,
  options: EcrWireOptions,
): JsonServiceDefinition {
  const commit = <T>(value: T): T => {
    durable.commit();
    return value;
  };
  const blobSize = (d: string) => (blobs.has(d) ? blobs.size(d) : undefined);
  const repoName = (input: Input) => reqString(input, "repositoryName");

  const operations: Record<string, OperationHandler> = {
    CreateRepository: (input, ctx) => {
      const scanning = optObject(input, "imageScanningConfiguration");
      const repo = model.create(ctx, {
        name: repoName(input),
        tagMutability: optString(input, "imageTagMutability"),
        scanOnPush: scanning ? optBool(scanning, "scanOnPush") : undefined,
        tags: tagMap(input),
      });
      return commit({ repository: repositoryView(repo) });
    },
    DescribeRepositories: (input) => {
      const page = pageOf(model.describe(optStringList(input, "repositoryNames")), input);
      return { repositories: page.items.map(repositoryView), nextToken: page.next };
    },
    DeleteRepository: (input) =>
      commit({ repository: repositoryView(model.delete(repoName(input), optBool(input, "force") ?? false)) }),
    PutImageTagMutability: (input) => {
      const repo = model.setTagMutability(repoName(input), reqString(input, "imageTagMutability"));
      return commit({
        registryId: repo.registryId,
        repositoryName: repo.name,
        imageTagMutability: repo.tagMutability,
      });
    },
    PutImageScanningConfiguration: (input) => {
      const config = optObject(input, "imageScanningConfiguration");
      if (!config)
        throw new AwsError("InvalidParameterException", "imageScanningConfiguration must be specified");
      const repo = model.setScanOnPush(repoName(input), optBool(config, "scanOnPush") ?? false);
      return commit({
        registryId: repo.registryId,
        repositoryName: repo.name,
        imageScanningConfiguration: { scanOnPush: repo.scanOnPush },
      });
    },
    PutLifecyclePolicy: (input) => {
      const repo = model.putLifecyclePolicy(repoName(input), reqString(input, "lifecyclePolicyText"));
      return commit({
        registryId: repo.registryId,
        repositoryName: repo.name,
        lifecyclePolicyText: repo.lifecyclePolicy,
      });
    },
    GetLifecyclePolicy: (input) => {
      const repo = model.repository(repoName(input));
      return {
        registryId: repo.registryId,
        repositoryName: repo.name,
        lifecyclePolicyText: model.lifecyclePolicy(repo.name),
        lastEvaluatedAt: new Date(),
      };
    },
    DeleteLifecyclePolicy: (input) => {
      const repo = model.repository(repoName(input));
      const text = model.deleteLifecyclePolicy(repo.name);
      return commit({
        registryId: repo.registryId,
        repositoryName: repo.name,
        lifecyclePolicyText: text,
        lastEvaluatedAt: new Date(),
      });
    },

    PutImage: (input) => {
      const image = model.putImage(
        repoName(input),
        {
          manifest: reqString(input, "imageManifest"),
          mediaType: optString(input, "imageManifestMediaType"),
          tag: optString(input, "imageTag"),
          digest: optString(input, "imageDigest"),
        },
        blobSize,
      );
      const repo = model.repository(repoName(input));
      const tag = optString(input, "imageTag");
      return commit({ image: imageView(repo, image, { imageDigest: image.digest, imageTag: tag }) });
    },
    DescribeImages: (input) => {
      const repo = model.repository(repoName(input));
      const ids = imageIds(input, false);
      const page = pageOf(
        ids ? ids.map((id) => model.image(repo.name, id)) : filterByTagStatus(repo.images, input),
        input,
      );
      return {
        nextToken: page.next,
        imageDetails: page.items.map((img) => ({
          registryId: repo.registryId,
          repositoryName: repo.name,
          imageDigest: img.digest,
          imageTags: img.tags.length > 0 ? img.tags : undefined,
          imageSizeInBytes: img.sizeInBytes,
          imagePushedAt: new Date(img.pushedAt),
          imageManifestMediaType: img.mediaType,
          artifactMediaType: "application/vnd.docker.container.image.v1+json",
        })),
      };
    },
    ListImages: (input) => {
      const repo = model.repository(repoName(input));
      const ids = filterByTagStatus(repo.images, input).flatMap((img) =>
        img.tags.length > 0
          ? img.tags.map((t) => ({ imageDigest: img.digest, imageTag: t }))
          : [{ imageDigest: img.digest }],
      );
      const page = pageOf(ids, input);
      return { imageIds: page.items, nextToken: page.next };
    },
    BatchGetImage: (input) => {
      const repo = model.repository(repoName(input));
      const images: unknown[] = [];
      const failures: unknown[] = [];
      for (const id of imageIds(input, true)!) {
        const image = model.findImage(repo, id);
        if (image) images.push(imageView(repo, image, { imageDigest: image.digest, imageTag: id.imageTag }));
        else failures.push(imageFailure(repo, id));
      }
      return { images, failures };
    },
    BatchDeleteImage: (input) => {
      const repo = model.repository(repoName(input));
      const deleted: ImageId[] = [];
      const failures: unknown[] = [];
      for (const id of imageIds(input, true)!) {
        const result = model.deleteImage(repo.name, id);
        if (result === "notFound") failures.push(imageFailure(repo, id));
        else deleted.push(...result);
      }
      return commit({ imageIds: deleted, failures });
    },

    GetAuthorizationToken: (_input, ctx) => ({
      authorizationData: [
        {
          authorizationToken: Buffer.from(`AWS:${randomBytes(24).toString("base64url")}`).toString("base64"),
          expiresAt: new Date(Date.now() + 12 * 3600_000),
          proxyEndpoint: `http://${options.registryHost(ctx.region)}`,
        },
      ],
    }),
    BatchCheckLayerAvailability: (input) => {
      model.repository(repoName(input));
      const digests = optStringList(input, "layerDigests");
      if (!digests || digests.length === 0)
        throw new AwsError("InvalidParameterException", "layerDigests must be specified");
      return {
        layers: digests.map((d) =>
          blobs.has(d)
            ? {
                layerDigest: d,
                layerAvailability: "AVAILABLE",
                layerSize: blobs.size(d),
                mediaType: "application/vnd.docker.image.rootfs.diff.tar.gzip",
              }
            : { layerDigest: d, layerAvailability: "UNAVAILABLE" },
        ),
        failures: [],
      };
    },
    InitiateLayerUpload: (input) => {
      const repo = model.repository(repoName(input));
      return { uploadId: blobs.initiate(repo.name), partSize: 10 * 1024 * 1024 };
    },
    UploadLayerPart: (input) => {
      const repo = model.repository(repoName(input));
      const uploadId = reqString(input, "uploadId");
      const data = reqString(input, "layerPartBlob");
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(data))
        throw new AwsError("SerializationException", "'layerPartBlob' must be base64-encoded");
      const last = blobs.appendPart(
        repo.name,
        uploadId,
        optInt(input, "partFirstByte"),
        optInt(input, "partLastByte"),
        Buffer.from(data, "base64"),
      );
      return { registryId: repo.registryId, repositoryName: repo.name, uploadId, lastByteReceived: last };
    },
    CompleteLayerUpload: (input) => {
      const repo = model.repository(repoName(input));
      const uploadId = reqString(input, "uploadId");
      const digests = optStringList(input, "layerDigests");
      if (digests?.length !== 1)
        throw new AwsError("InvalidParameterException", "layerDigests must name exactly one digest");
      blobs.complete(repo.name, uploadId, digests[0]!);
      return { registryId: repo.registryId, repositoryName: repo.name, uploadId, layerDigest: digests[0] };
    },
    GetDownloadUrlForLayer: (input) => {
      const repo = model.repository(repoName(input));
      const digest = reqString(input, "layerDigest");
      if (!blobs.has(digest)) {
        throw new AwsError(
          "LayersNotFoundException",
          `The layer with digest '${digest}' does not exist in the repository '${repo.name}'`,
        );
      }
      return { downloadUrl: `${options.endpoint}${options.blobRoute}${digest}`, layerDigest: digest };
    },
  };
  return {
    protocol: "awsJson1_1",
    signingName: "ecr",
    targetPrefix: "AmazonEC2ContainerRegistry_V20150921",
    operations,
  };
}

function repositoryView(repo: RepositoryRecord) {
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

function imageView(repo: RepositoryRecord, image: ImageRecord, id: ImageId) {
  return {
    registryId: repo.registryId,
    repositoryName: repo.name,
    imageId: id,
    imageManifest: image.manifest,
    imageManifestMediaType: image.mediaType,
  };
}

function imageFailure(repo: RepositoryRecord, id: ImageId) {
  const digestExists =
    id.imageDigest !== undefined && repo.images.some((img) => img.digest === id.imageDigest);
  if (digestExists && id.imageTag !== undefined) {
    return {
      imageId: id,
      failureCode: "ImageTagDoesNotMatchDigest",
      failureReason: "Invalid image tag for image digest",
    };
  }
  return { imageId: id, failureCode: "ImageNotFound", failureReason: "Requested image not found" };
}

function imageIds(input: Input, required: boolean): ImageId[] | undefined {
  const list = optObjectList(input, "imageIds");
  if (!list || list.length === 0) {
    if (required) throw new AwsError("InvalidParameterException", "imageIds must name at least one image");
    return undefined;
  }
  return list.map((i) => {
    const id = { imageDigest: optString(i, "imageDigest"), imageTag: optString(i, "imageTag") };
    if (id.imageDigest === undefined && id.imageTag === undefined) {
      throw new AwsError("InvalidParameterException", "An image ID needs an imageDigest or an imageTag");
    }
    return id;
  });
}

function filterByTagStatus(images: ImageRecord[], input: Input): ImageRecord[] {
  const filter = optObject(input, "filter");
  const status = filter ? optString(filter, "tagStatus") : undefined;
  if (status === undefined || status === "ANY") return images;
  if (status === "TAGGED") return images.filter((i) => i.tags.length > 0);
  if (status === "UNTAGGED") return images.filter((i) => i.tags.length === 0);
  throw new AwsError(
    "InvalidParameterException",
    `Invalid parameter at 'filter.tagStatus': '${status}' must be TAGGED, UNTAGGED or ANY`,
  );
}

function tagMap(input: Input): Record<string, string> {
  const tags = optObjectList(input, "tags") ?? [];
  return Object.fromEntries(tags.map((t) => [reqString(t, "Key"), optString(t, "Value") ?? ""]));
}

/** `maxResults` (1-1000) and `nextToken` as ECR's Describe/List operations take them. */
function pageOf<T>(all: T[], input: Input): Page<T> {
  const n = optInt(input, "maxResults");
  if (n !== undefined && (n < 1 || n > 1000)) {
    throw new AwsError(
      "InvalidParameterException",
      "Invalid parameter at 'maxResults' failed to satisfy constraint: 'Member must have value between 1 and 1000'",
    );
  }
  return paginate(all, n, optString(input, "nextToken"), "InvalidParameterException");
}
