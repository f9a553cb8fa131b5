import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";

// API keys: `tk_<id>_<secret>`, 256 random bits, stored as sha256 (a hash of a high-entropy key
// needs no salt or stretching). The id lets the CLI name a key without its secret.

export interface NewKey {
  id: string;
  key: string;
  hash: string;
}

export function hashKey(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("hex");
}

export function generateKey(): NewKey {
  const id = randomBytes(6).toString("hex");
  const key = `tk_${id}_${randomBytes(32).toString("base64url")}`;
  return { id, key, hash: hashKey(key) };
}

/** The admin key from the environment gets a stable id, so ensuring it at every boot is idempotent. */
export function adminKeyRecord(key: string): { id: string; hash: string } {
  const hash = hashKey(key);
  return { id: `admin-${hash.slice(0, 12)}`, hash };
}

/** A playback link's signature: keyed by the key's hash, so revoking the key kills its links. */
export function signLink(keyHash: string, keyId: string, objectKey: string, expires: number): string {
  return createHmac("sha256", keyHash).update(`${keyId}\n${objectKey}\n${expires}`).digest("base64url");
}

export function sameSignature(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
