import { pushImageToEcr } from "@platform/image-format";
import { validateTag } from "./reference.js";

export type { PushOptions, PushProgress, PushResult } from "@platform/image-format";

/** pushImageToEcr with the tag checked against ECR's rules first, so that a bad one is named plainly. */
export const pushImage: typeof pushImageToEcr = async (ecr, repositoryName, tag, image, options) => {
  validateTag(tag);
  return pushImageToEcr(ecr, repositoryName, tag, image, options);
};
