import { randomBytes } from "node:crypto";
import type { Durable, OperationHandler } from "../../contracts.js";
import { AwsError } from "../../contracts.js";
import { mutating } from "../../state/durable.js";
import { paginate } from "../../wire/paging.js";
import { optBool, optStringList, reqString } from "../../wire/params.js";
import type { BlobStore } from "./blob-store.js";
import {
  completedLayer,
  createRepositoryInput,
  imageIds,
  invalidToken,
  layerDigests,
  layerPart,
  pageRequest,
  putImageInput,
  repositoryName,
  scanOnPush,
  tagStatus,
} from "./input.js";
import type { EcrModel, EcrState, ImageId } from "./model.js";
import {
  imageDetailView,
  imageFailureView,
  imageView,
  layerView,
  lifecyclePolicyView,
  repositoryView,
} from "./views.js";

// ECR's operations, the layer push path included: decoded input, model (or blob store) call,
// commit, API-shaped output.

export interface EcrWireOptions {
  endpoint: string;
  registryHost: (region: string) => string;
  /** Path of the unsigned layer download route. */
  blobRoute: string;
}

export function ecrOperations(
  model: EcrModel,
  durable: Durable<EcrState>,
  blobs: BlobStore,
  options: EcrWireOptions,
): Record<string, OperationHandler> {
  const blobSize = (d: string) => (blobs.has(d) ? blobs.size(d) : undefined);
  const repository = (input: Record<string, unknown>) => model.repository(repositoryName(input));

  return {
    CreateRepository: mutating(durable, (input, ctx) => ({
      repository: repositoryView(model.create(ctx, createRepositoryInput(input))),
    })),
    DescribeRepositories: (input) => {
      const all = model.describe(optStringList(input, "repositoryNames"));
      const page = paginate(all, pageRequest(input), invalidToken);
      return { repositories: page.items.map(repositoryView), nextToken: page.next };
    },
    DeleteRepository: mutating(durable, (input) => ({
      repository: repositoryView(model.delete(repositoryName(input), optBool(input, "force") ?? false)),
    })),
    PutImageTagMutability: mutating(durable, (input) => {
      const repo = model.setTagMutability(repositoryName(input), reqString(input, "imageTagMutability"));
      return {
        registryId: repo.registryId,
        repositoryName: repo.name,
        imageTagMutability: repo.tagMutability,
      };
    }),
    PutImageScanningConfiguration: mutating(durable, (input) => {
      const scan = scanOnPush(input);
      const repo = model.setScanOnPush(repositoryName(input), scan);
      return {
        registryId: repo.registryId,
        repositoryName: repo.name,
        imageScanningConfiguration: { scanOnPush: repo.scanOnPush },
      };
    }),
    PutLifecyclePolicy: mutating(durable, (input) => {
      const repo = model.putLifecyclePolicy(repositoryName(input), reqString(input, "lifecyclePolicyText"));
      return lifecyclePolicyView(repo, repo.lifecyclePolicy);
    }),
    GetLifecyclePolicy: (input) => {
      const repo = repository(input);
      return { ...lifecyclePolicyView(repo, model.lifecyclePolicy(repo.name)), lastEvaluatedAt: new Date() };
    },
    DeleteLifecyclePolicy: mutating(durable, (input) => {
      const repo = repository(input);
      const text = model.deleteLifecyclePolicy(repo.name);
      return { ...lifecyclePolicyView(repo, text), lastEvaluatedAt: new Date() };
    }),

    PutImage: mutating(durable, (input) => {
      const name = repositoryName(input);
      const request = putImageInput(input);
      const image = model.putImage(name, request, blobSize);
      const id = { imageDigest: image.digest, imageTag: request.tag };
      return { image: imageView(repository(input), image, id) };
    }),
    DescribeImages: (input) => {
      const repo = repository(input);
      const ids = imageIds(input, false);
      const images = ids
        ? ids.map((id) => model.image(repo.name, id))
        : model.imagesByTagStatus(repo, tagStatus(input));
      const page = paginate(images, pageRequest(input), invalidToken);
      return { nextToken: page.next, imageDetails: page.items.map((img) => imageDetailView(repo, img)) };
    },
    ListImages: (input) => {
      const repo = repository(input);
      const page = paginate(model.imageIdsOf(repo, tagStatus(input)), pageRequest(input), invalidToken);
      return { imageIds: page.items, nextToken: page.next };
    },
    BatchGetImage: (input) => {
      const repo = repository(input);
      const images: unknown[] = [];
      const failures: unknown[] = [];
      for (const id of imageIds(input, true)!) {
        const image = model.findImage(repo, id);
        if (image) images.push(imageView(repo, image, { imageDigest: image.digest, imageTag: id.imageTag }));
        else failures.push(imageFailureView(id, model.missOf(repo, id)));
      }
      return { images, failures };
    },
    BatchDeleteImage: mutating(durable, (input) => {
      const repo = repository(input);
      const deleted: ImageId[] = [];
      const failures: unknown[] = [];
      for (const id of imageIds(input, true)!) {
        const result = model.deleteImage(repo.name, id);
        if (result === "notFound") failures.push(imageFailureView(id, model.missOf(repo, id)));
        else deleted.push(...result);
      }
      return { imageIds: deleted, failures };
    }),

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
      repository(input);
      return { layers: layerDigests(input).map((d) => layerView(d, blobSize(d))), failures: [] };
    },
    InitiateLayerUpload: (input) => {
      const repo = repository(input);
      return { uploadId: blobs.initiate(repo.name), partSize: 10 * 1024 * 1024 };
    },
    UploadLayerPart: (input) => {
      const repo = repository(input);
      const part = layerPart(input);
      const last = blobs.appendPart(repo.name, part.uploadId, part.first, part.last, part.data);
      return {
        registryId: repo.registryId,
        repositoryName: repo.name,
        uploadId: part.uploadId,
        lastByteReceived: last,
      };
    },
    CompleteLayerUpload: (input) => {
      const repo = repository(input);
      const { uploadId, digest } = completedLayer(input);
      blobs.complete(repo.name, uploadId, digest);
      return { registryId: repo.registryId, repositoryName: repo.name, uploadId, layerDigest: digest };
    },
    GetDownloadUrlForLayer: (input) => {
      const repo = repository(input);
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
}
