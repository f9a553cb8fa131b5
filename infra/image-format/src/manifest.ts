import { isDigest, sha256Digest } from "./digest.js";
import {
  ACCEPTED_MANIFEST_MEDIA_TYPES,
  CONFIG_MEDIA_TYPE,
  LAYER_MEDIA_TYPE,
  MANIFEST_MEDIA_TYPE,
} from "./media-types.js";

export interface Descriptor {
  mediaType: string;
  size: number;
  digest: string;
}

export interface ImageManifest {
  schemaVersion: 2;
  mediaType: string;
  config: Descriptor;
  layers: Descriptor[];
}

/** Serializes a schema 2 manifest; the image digest is the sha256 of exactly these bytes. */
export function serializeManifest(
  config: Omit<Descriptor, "mediaType">,
  layers: Omit<Descriptor, "mediaType">[],
) {
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: MANIFEST_MEDIA_TYPE,
    config: { mediaType: CONFIG_MEDIA_TYPE, size: config.size, digest: config.digest },
    layers: layers.map((l) => ({ mediaType: LAYER_MEDIA_TYPE, size: l.size, digest: l.digest })),
  };
  const bytes = Buffer.from(JSON.stringify(manifest, null, 3), "utf8");
  return { manifest, bytes, digest: sha256Digest(bytes) };
}

/**
 * Parses and validates a manifest read from a registry (Docker v2 schema 2 or OCI image manifest).
 * Throws an Error naming the first thing that is wrong.
 */
export function parseManifest(text: string): ImageManifest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error("image manifest is not valid JSON");
  }
  if (!isRecord(value)) throw new Error("image manifest is not a JSON object");
  if (value.schemaVersion !== 2) throw new Error("image manifest schemaVersion must be 2");
  const mediaType = typeof value.mediaType === "string" ? value.mediaType : MANIFEST_MEDIA_TYPE;
  if (!ACCEPTED_MANIFEST_MEDIA_TYPES.includes(mediaType)) {
    throw new Error(`image manifest mediaType "${mediaType}" is not a single-platform image manifest`);
  }
  const config = parseDescriptor(value.config, "config");
  if (!Array.isArray(value.layers)) throw new Error("image manifest layers must be an array");
  const layers = value.layers.map((layer, i) => parseDescriptor(layer, `layers[${i}]`));
  return { schemaVersion: 2, mediaType, config, layers };
}

function parseDescriptor(value: unknown, where: string): Descriptor {
  if (!isRecord(value)) throw new Error(`image manifest ${where} must be an object`);
  const { mediaType, size, digest } = value;
  if (typeof mediaType !== "string") throw new Error(`image manifest ${where}.mediaType must be a string`);
  if (typeof size !== "number" || !Number.isSafeInteger(size) || size < 0) {
    throw new Error(`image manifest ${where}.size must be a non-negative integer`);
  }
  if (typeof digest !== "string" || !isDigest(digest)) {
    throw new Error(`image manifest ${where}.digest must be sha256:<64 hex digits>`);
  }
  return { mediaType, size, digest };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Every blob a manifest references, config first: what a registry must hold before the manifest. */
export function manifestBlobs(manifest: ImageManifest): Descriptor[] {
  return [manifest.config, ...manifest.layers];
}
