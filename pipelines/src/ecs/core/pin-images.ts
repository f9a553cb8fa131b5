import { lookUpImage } from "../aws/ecr.js";
import { PreflightError } from "../model/errors.js";
import { formatImageRef } from "../model/image-ref.js";
import { type PlannedImage, pinnedImage } from "../model/task-definition.js";
import type { Context } from "./context.js";

export interface PinnedImages {
  /** Container → the image it will run (`repo@sha256:...` for ECR images). */
  byContainer: Map<string, string>;
  /** Container → the tag it was pinned from, recorded on the revision. */
  sources: Map<string, string>;
  records: { container: string; source: string; image: string }[];
}

/**
 * Every image must exist in its ECR repository before anything changes; each is pinned by digest,
 * so a tag that moves later never changes what runs. A missing image fails here, naming the image
 * and the repository, with nothing registered or updated.
 */
export async function pinImages(ctx: Context, planned: PlannedImage[]): Promise<PinnedImages> {
  const pinned: PinnedImages = { byContainer: new Map(), sources: new Map(), records: [] };
  const missing: string[] = [];
  for (const { container, source } of planned) {
    const lookup = await lookUpImage(ctx.clients, source);
    const sourceText = formatImageRef(source);
    if (lookup.kind === "missing") {
      missing.push(`container ${container}: ${lookup.message}`);
      continue;
    }
    const image = lookup.kind === "found" ? pinnedImage(source, lookup.digest) : sourceText;
    if (lookup.kind === "not-ecr") ctx.reporter.warn(`${sourceText} is not in ECR: not checked, not pinned`);
    pinned.byContainer.set(container, image);
    if (source.tag) pinned.sources.set(container, sourceText);
    pinned.records.push({ container, source: sourceText, image });
  }
  if (missing.length > 0)
    throw new PreflightError(`image not found, nothing was changed: ${missing.join("; ")}`);
  return pinned;
}
