import { type ImageConfig, serializeConfigBlob, validateImageConfig } from "./image-config.js";
import { type ImageFile, type PackedLayer, packFilesLayer, packLayer } from "./layer.js";
import { type ImageManifest, serializeManifest } from "./manifest.js";

export type PackInput = ({ rootDir: string; files?: never } | { files: ImageFile[]; rootDir?: never }) & {
  config: ImageConfig;
  /** ISO time for the config's `created`; a fixed epoch unless given, so equal input gives an equal digest. */
  created?: string;
  architecture?: string;
};

export interface PackedBlob {
  digest: string;
  size: number;
  bytes: Buffer;
}

/** A single-layer image, ready to push: everything a registry stores, in memory. */
export interface PackedImage {
  manifest: ImageManifest;
  /** The exact bytes PutImage sends; `manifestDigest` is their sha256. */
  manifestBytes: Buffer;
  /** The image digest (`sha256:...`): what tags point at and what a task definition pins. */
  manifestDigest: string;
  config: PackedBlob & { value: ImageConfig };
  layers: PackedLayer[];
}

export async function packImage(input: PackInput): Promise<PackedImage> {
  validateImageConfig(input.config);
  const layer =
    input.rootDir !== undefined ? await packLayer(input.rootDir) : await packFilesLayer(input.files);
  const config = serializeConfigBlob({
    config: input.config,
    diffIds: [layer.diffId],
    ...(input.created !== undefined && { created: input.created }),
    ...(input.architecture !== undefined && { architecture: input.architecture }),
  });
  const { manifest, bytes, digest } = serializeManifest(
    { digest: config.digest, size: config.bytes.length },
    [layer],
  );
  return {
    manifest,
    manifestBytes: bytes,
    manifestDigest: digest,
    config: { digest: config.digest, size: config.bytes.length, bytes: config.bytes, value: input.config },
    layers: [layer],
  };
}

/** All blobs of a packed image, config first, with their bytes. */
export function packedBlobs(image: PackedImage): PackedBlob[] {
  return [image.config, ...image.layers];
}
