import { existsSync } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { extract } from "tar";
import type { ResolvedImage } from "../../contracts.js";

// Unpacked images: each digest is unpacked once into <stateDir>/images/<hex>/ and only read after
// (two versions run side by side, and nothing ever runs from the working tree).

export class ImageStore {
  private readonly unpacking = new Map<string, Promise<string>>();

  constructor(private readonly root: string) {}

  /** The folder holding the image's root filesystem, unpacking it on first use. */
  rootOf(image: ResolvedImage): Promise<string> {
    const hex = image.imageDigest.replace(/^sha256:/, "");
    if (!/^[a-f0-9]{64}$/.test(hex))
      return Promise.reject(new Error(`invalid image digest ${image.imageDigest}`));
    const existing = this.unpacking.get(hex);
    if (existing) return existing;
    const pending = this.unpack(hex, image.layerFiles).catch((error) => {
      this.unpacking.delete(hex);
      throw error;
    });
    this.unpacking.set(hex, pending);
    return pending;
  }

  private async unpack(hex: string, layers: string[]): Promise<string> {
    const target = join(this.root, hex);
    if (existsSync(join(target, ".complete"))) return target;
    // Unpack beside the target and rename: a crash halfway never leaves a half image in place.
    const temp = `${target}.partial-${process.pid}`;
    await rm(temp, { recursive: true, force: true });
    await mkdir(temp, { recursive: true });
    for (const layer of layers) {
      await extract({ file: layer, cwd: temp, preservePaths: false, strict: true });
    }
    await mkdir(join(temp, ".complete"), { recursive: true });
    await rm(target, { recursive: true, force: true });
    await rename(temp, target);
    return target;
  }
}
