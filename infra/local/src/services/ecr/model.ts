import { createHash } from "node:crypto";
import { AwsError } from "../../contracts.js";
import { imagesToExpire, parseLifecyclePolicy } from "./lifecycle.js";

// ECR's rules over plain JSON state: repositories, images (digest = sha256 of the manifest bytes),
// tags and their mutability, lifecycle policies. No I/O: blob sizes are asked of the caller.

export const DOCKER_MANIFEST_V2 = "application/vnd.docker.distribution.manifest.v2+json";
export const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";

export interface ImageRecord {
  digest: string;
  manifest: string;
  mediaType: string;
  tags: string[];
  pushedAt: string;
  sizeInBytes: number;
  configDigest: string;
  layerDigests: string[];
}

export interface RepositoryRecord {
  name: string;
  arn: string;
  registryId: string;
  uri: string;
  createdAt: string;
  tagMutability: "MUTABLE" | "IMMUTABLE";
  scanOnPush: boolean;
  lifecyclePolicy?: string | undefined;
  tags: Record<string, string>;
  images: ImageRecord[];
}

export interface EcrState {
  repositories: Record<string, RepositoryRecord>;
}

export function emptyEcrState(): EcrState {
  return { repositories: {} };
}

export interface ImageId {
  imageDigest?: string | undefined;
  imageTag?: string | undefined;
}

export type TagStatus = "TAGGED" | "UNTAGGED" | "ANY";

/** Why an image ID names no image, in ECR's failure codes. */
export type ImageMiss = "ImageTagDoesNotMatchDigest" | "ImageNotFound";

const REPOSITORY_NAME = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,299}$/;

export function checkRepositoryName(name: string): void {
  if (name.length < 2 || name.length > 256) {
    throw new AwsError(
      "InvalidParameterException",
      `Invalid parameter at 'repositoryName' failed to satisfy constraint: 'Member must have length between 2 and 256'`,
    );
  }
  if (!REPOSITORY_NAME.test(name)) {
    throw new AwsError(
      "InvalidParameterException",
      `Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must satisfy regular expression '(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*''`,
    );
  }
}

export function checkTag(tag: string): void {
  if (!TAG.test(tag) || tag.startsWith("sha256:")) {
    throw new AwsError(
      "InvalidParameterException",
      `Invalid parameter at 'imageTag' failed to satisfy constraint: 'Invalid image tag '${tag}''`,
    );
  }
}

export class EcrModel {
  constructor(
    readonly state: EcrState,
    private readonly registryHost: (region: string) => string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  create(
    scope: { region: string; accountId: string },
    input: {
      name: string;
      tagMutability?: string | undefined;
      scanOnPush?: boolean | undefined;
      tags: Record<string, string>;
    },
  ): RepositoryRecord {
    checkRepositoryName(input.name);
    const mutability = input.tagMutability ?? "MUTABLE";
    if (mutability !== "MUTABLE" && mutability !== "IMMUTABLE") {
      throw new AwsError(
        "InvalidParameterException",
        `Invalid parameter at 'imageTagMutability' failed to satisfy constraint: 'Member must satisfy enum value set: [MUTABLE, IMMUTABLE]'`,
      );
    }
    if (this.state.repositories[input.name]) {
      throw new AwsError(
        "RepositoryAlreadyExistsException",
        `The repository with name '${input.name}' already exists in the registry with id '${scope.accountId}'`,
      );
    }
    const repo: RepositoryRecord = {
      name: input.name,
      arn: `arn:aws:ecr:${scope.region}:${scope.accountId}:repository/${input.name}`,
      registryId: scope.accountId,
      uri: `${this.registryHost(scope.region)}/${input.name}`,
      createdAt: this.now().toISOString(),
      tagMutability: mutability,
      scanOnPush: input.scanOnPush ?? false,
      tags: input.tags,
      images: [],
    };
    this.state.repositories[input.name] = repo;
    return repo;
  }

  repository(name: string, registryId = "000000000000"): RepositoryRecord {
    const repo = this.state.repositories[name];
    if (!repo) {
      throw new AwsError(
        "RepositoryNotFoundException",
        `The repository with name '${name}' does not exist in the registry with id '${registryId}'`,
      );
    }
    return repo;
  }

  describe(names: string[] | undefined): RepositoryRecord[] {
    if (names) return names.map((n) => this.repository(n));
    return Object.values(this.state.repositories);
  }

  delete(name: string, force: boolean): RepositoryRecord {
    const repo = this.repository(name);
    if (repo.images.length > 0 && !force) {
      throw new AwsError(
        "RepositoryNotEmptyException",
        `The repository with name '${name}' in registry with id '${repo.registryId}' cannot be deleted because it still contains images`,
      );
    }
    delete this.state.repositories[name];
    return repo;
  }

  setTagMutability(name: string, mutability: string): RepositoryRecord {
    const repo = this.repository(name);
    if (mutability !== "MUTABLE" && mutability !== "IMMUTABLE") {
      throw new AwsError(
        "InvalidParameterException",
        `Invalid parameter at 'imageTagMutability' failed to satisfy constraint: 'Member must satisfy enum value set: [MUTABLE, IMMUTABLE]'`,
      );
    }
    repo.tagMutability = mutability;
    return repo;
  }

  setScanOnPush(name: string, scanOnPush: boolean): RepositoryRecord {
    const repo = this.repository(name);
    repo.scanOnPush = scanOnPush;
    return repo;
  }

  putLifecyclePolicy(name: string, text: string): RepositoryRecord {
    const repo = this.repository(name);
    if (text.length < 100 || text.length > 30720) {
      throw new AwsError(
        "InvalidParameterException",
        "Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Member must have length between 100 and 30720'",
      );
    }
    parseLifecyclePolicy(text);
    repo.lifecyclePolicy = text;
    this.applyLifecycle(repo);
    return repo;
  }

  lifecyclePolicy(name: string): string {
    const repo = this.repository(name);
    if (repo.lifecyclePolicy === undefined) {
      throw new AwsError(
        "LifecyclePolicyNotFoundException",
        `Lifecycle policy does not exist for the repository with name '${name}' in the registry with id '${repo.registryId}'`,
      );
    }
    return repo.lifecyclePolicy;
  }

  deleteLifecyclePolicy(name: string): string {
    const text = this.lifecyclePolicy(name);
    delete this.repository(name).lifecyclePolicy;
    return text;
  }

  /** Expired images' digests; they are removed from the repository. */
  applyLifecycle(repo: RepositoryRecord): string[] {
    if (!repo.lifecyclePolicy) return [];
    const expired = imagesToExpire(parseLifecyclePolicy(repo.lifecyclePolicy), repo.images, this.now());
    repo.images = repo.images.filter((img) => !expired.has(img.digest));
    return [...expired];
  }

  putImage(
    name: string,
    input: {
      manifest: string;
      mediaType?: string | undefined;
      tag?: string | undefined;
      digest?: string | undefined;
    },
    blobSize: (digest: string) => number | undefined,
  ): ImageRecord {
    const repo = this.repository(name);
    if (input.tag !== undefined) checkTag(input.tag);
    const digest = `sha256:${createHash("sha256").update(input.manifest, "utf8").digest("hex")}`;
    if (input.digest !== undefined && input.digest !== digest) {
      throw new AwsError(
        "ImageDigestDoesNotMatchException",
        `The provided image digest '${input.digest}' does not match the manifest digest '${digest}'`,
      );
    }
    const parsed = parseManifest(input.manifest);
    const mediaType = input.mediaType ?? parsed.mediaType ?? DOCKER_MANIFEST_V2;
    if (parsed.mediaType && input.mediaType && parsed.mediaType !== input.mediaType) {
      throw new AwsError(
        "InvalidParameterException",
        `Invalid parameter at 'imageManifestMediaType': '${input.mediaType}' does not match the manifest's mediaType '${parsed.mediaType}'`,
      );
    }
    const missing = [parsed.configDigest, ...parsed.layerDigests].filter((d) => blobSize(d) === undefined);
    if (missing.length > 0) {
      throw new AwsError(
        "LayersNotFoundException",
        `Layers with digests [${missing.join(", ")}] required for pushing image into repository with name '${name}' in the registry with id '${repo.registryId}' do not exist`,
      );
    }
    const existing = repo.images.find((img) => img.digest === digest);
    const tagOwner =
      input.tag === undefined ? undefined : repo.images.find((img) => img.tags.includes(input.tag!));
    if (existing && (input.tag === undefined || existing.tags.includes(input.tag))) {
      throw new AwsError(
        "ImageAlreadyExistsException",
        `Image with digest '${digest}'${input.tag ? ` and tag '${input.tag}'` : ""} already exists in the repository with name '${name}' in registry with id '${repo.registryId}'`,
      );
    }
    if (tagOwner && tagOwner !== existing && repo.tagMutability === "IMMUTABLE") {
      throw new AwsError(
        "ImageTagAlreadyExistsException",
        `The image tag '${input.tag}' already exists in the '${name}' repository and cannot be overwritten because the repository is immutable.`,
      );
    }
    if (tagOwner) {
      tagOwner.tags = tagOwner.tags.filter((t) => t !== input.tag);
    }
    let image = existing;
    if (!image) {
      image = {
        digest,
        manifest: input.manifest,
        mediaType,
        tags: [],
        pushedAt: this.now().toISOString(),
        sizeInBytes: parsed.layerDigests.reduce((sum, d) => sum + (blobSize(d) ?? 0), 0),
        configDigest: parsed.configDigest,
        layerDigests: parsed.layerDigests,
      };
      repo.images.push(image);
    }
    if (input.tag !== undefined) image.tags.push(input.tag);
    this.applyLifecycle(repo);
    return image;
  }

  /** An image by tag and/or digest; undefined when absent or when tag and digest disagree. */
  findImage(repo: RepositoryRecord, id: ImageId): ImageRecord | undefined {
    return repo.images.find(
      (img) =>
        (id.imageDigest === undefined || img.digest === id.imageDigest) &&
        (id.imageTag === undefined || img.tags.includes(id.imageTag)),
    );
  }

  imagesByTagStatus(repo: RepositoryRecord, status: TagStatus): ImageRecord[] {
    if (status === "TAGGED") return repo.images.filter((i) => i.tags.length > 0);
    if (status === "UNTAGGED") return repo.images.filter((i) => i.tags.length === 0);
    return repo.images;
  }

  /** One ID per tag, and one for each untagged image, as ListImages lists them. */
  imageIdsOf(repo: RepositoryRecord, status: TagStatus): ImageId[] {
    return this.imagesByTagStatus(repo, status).flatMap((img) =>
      img.tags.length > 0
        ? img.tags.map((t) => ({ imageDigest: img.digest, imageTag: t }))
        : [{ imageDigest: img.digest }],
    );
  }

  /** An ID that names no image: its digest exists with other tags, or nothing matches at all. */
  missOf(repo: RepositoryRecord, id: ImageId): ImageMiss {
    const digestExists =
      id.imageDigest !== undefined && repo.images.some((img) => img.digest === id.imageDigest);
    return digestExists && id.imageTag !== undefined ? "ImageTagDoesNotMatchDigest" : "ImageNotFound";
  }

  image(name: string, id: ImageId): ImageRecord {
    const repo = this.repository(name);
    const image = this.findImage(repo, id);
    if (!image) {
      throw new AwsError(
        "ImageNotFoundException",
        `The image with imageId {imageDigest:'${id.imageDigest ?? "null"}', imageTag:'${id.imageTag ?? "null"}'} does not exist within the repository with name '${name}' in the registry with id '${repo.registryId}'`,
      );
    }
    return image;
  }

  /** Removes a tag (the image goes with its last tag) or, by digest, the whole image. */
  deleteImage(name: string, id: ImageId): ImageId[] | "notFound" {
    const repo = this.repository(name);
    const image = this.findImage(repo, id);
    if (!image) return "notFound";
    if (id.imageDigest === undefined && id.imageTag !== undefined) {
      image.tags = image.tags.filter((t) => t !== id.imageTag);
      if (image.tags.length === 0) repo.images = repo.images.filter((i) => i !== image);
      return [{ imageDigest: image.digest, imageTag: id.imageTag }];
    }
    repo.images = repo.images.filter((i) => i !== image);
    return image.tags.length > 0
      ? image.tags.map((t) => ({ imageDigest: image.digest, imageTag: t }))
      : [{ imageDigest: image.digest }];
  }
}

interface ParsedManifest {
  mediaType?: string | undefined;
  configDigest: string;
  layerDigests: string[];
}

function parseManifest(text: string): ParsedManifest {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new AwsError(
      "InvalidParameterException",
      "Invalid parameter at 'ImageManifest' failed to satisfy constraint: 'Invalid JSON syntax'",
    );
  }
  const config = doc?.config as { digest?: unknown } | undefined;
  const layers = doc?.layers;
  if (doc?.schemaVersion !== 2 || typeof config?.digest !== "string" || !Array.isArray(layers)) {
    throw new AwsError(
      "InvalidParameterException",
      "Invalid parameter at 'ImageManifest' failed to satisfy constraint: 'a schema 2 manifest with config and layers is required'",
    );
  }
  const layerDigests = layers.map((l) => (l as { digest?: unknown })?.digest);
  if (layerDigests.some((d) => typeof d !== "string")) {
    throw new AwsError(
      "InvalidParameterException",
      "Invalid parameter at 'ImageManifest' failed to satisfy constraint: 'every layer needs a digest'",
    );
  }
  return {
    mediaType: typeof doc.mediaType === "string" ? doc.mediaType : undefined,
    configDigest: config.digest,
    layerDigests: layerDigests as string[],
  };
}
