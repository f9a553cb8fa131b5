import { createHash } from "node:crypto";

const DIGEST_PATTERN = /^sha256:[0-9a-f]{64}$/;

/** A content digest as registries write it: `sha256:<64 hex>`. */
export function sha256Digest(bytes: Uint8Array | string): string {
  return `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
}

export function isDigest(value: string): boolean {
  return DIGEST_PATTERN.test(value);
}
