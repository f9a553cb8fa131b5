import type { ImageConfig, ImageRegistry, ResolvedImage } from "../../contracts.js";
import type { BlobStore } from "./blob-store.js";
import type { EcrModel } from "./model.js";

// The task runner's view of ECR: an image URI to its config and layer files.

export class LocalImageRegistry implements ImageRegistry {
  constructor(
    private readonly model: EcrModel,
    private readonly blobs: BlobStore,
  ) {}

  resolve(imageUri: string): ResolvedImage | undefined {
    const ref = parseImageUri(imageUri);
    if (!ref) return undefined;
    const repo = this.model.state.repositories[ref.repositoryName];
    if (!repo) return undefined;
    const image = this.model.findImage(
      repo,
      ref.digest ? { imageDigest: ref.digest } : { imageTag: ref.tag ?? "latest" },
    );
    if (!image || !this.blobs.has(image.configDigest)) return undefined;
    let config: ImageConfig = {};
    try {
      const doc = JSON.parse(this.blobs.read(image.configDigest).toString("utf8")) as {
        config?: ImageConfig;
      };
      config = doc.config ?? {};
    } catch {
      return undefined;
    }
    if (image.layerDigests.some((d) => !this.blobs.has(d))) return undefined;
    return {
      repositoryName: repo.name,
      imageDigest: image.digest,
      config,
      layerFiles: image.layerDigests.map((d) => this.blobs.path(d)),
    };
  }
}

/** `host[:port]/name[:tag]` or `host[:port]/name@sha256:...`; the host is optional. */
export function parseImageUri(
  uri: string,
): { repositoryName: string; tag?: string; digest?: string } | undefined {
  const at = uri.indexOf("@");
  let rest = at >= 0 ? uri.slice(0, at) : uri;
  const digest = at >= 0 ? uri.slice(at + 1) : undefined;
  if (digest !== undefined && !/^sha256:[a-f0-9]{64}$/.test(digest)) return undefined;
  const firstSlash = rest.indexOf("/");
  if (firstSlash > 0 && /[.:]/.test(rest.slice(0, firstSlash))) rest = rest.slice(firstSlash + 1);
  const lastColon = rest.lastIndexOf(":");
  const tag = lastColon > rest.lastIndexOf("/") ? rest.slice(lastColon + 1) : undefined;
  const repositoryName = tag !== undefined ? rest.slice(0, lastColon) : rest;
  if (!repositoryName) return undefined;
  return { repositoryName, ...(tag !== undefined ? { tag } : {}), ...(digest ? { digest } : {}) };
}
