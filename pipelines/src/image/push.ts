import type { ECRClient } from "@aws-sdk/client-ecr";
import { type PackedImage, type PushOptions, type PushResult, pushImageToEcr } from "@platform/image-format";
import { validateTag } from "./reference.js";

export type { PushOptions, PushProgress, PushResult } from "@platform/image-format";

/** Pushes a packed image under a tag checked against ECR's rules first, so a bad one is named plainly. */
export async function pushImage(
  ecr: ECRClient,
  repositoryName: string,
  tag: string,
  image: PackedImage,
  options: PushOptions = {},
): Promise<PushResult> {
  validateTag(tag);
  return pushImageToEcr(ecr, repositoryName, tag, image, options);
}
