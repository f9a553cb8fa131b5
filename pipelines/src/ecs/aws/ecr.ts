import { DescribeImagesCommand, type ImageIdentifier } from "@aws-sdk/client-ecr";
import { ecrLocation, formatImageRef, type ImageRef } from "../model/image-ref.js";
import type { Clients } from "./clients.js";

export type ImageLookup =
  | { kind: "found"; digest: string }
  | { kind: "missing"; message: string }
  | { kind: "not-ecr" };

/** Does this image exist in its ECR repository, and what is its digest? Read-only. */
export async function lookUpImage(clients: Clients, ref: ImageRef): Promise<ImageLookup> {
  const location = ecrLocation(ref);
  if (!location) return { kind: "not-ecr" };
  const imageId: ImageIdentifier = ref.digest
    ? { imageDigest: ref.digest }
    : { imageTag: ref.tag ?? "latest" };
  const wanted = ref.digest ?? `tag "${ref.tag ?? "latest"}"`;
  try {
    const answer = await clients.ecr(location.region).send(
      new DescribeImagesCommand({
        registryId: location.registryId,
        repositoryName: location.repositoryName,
        imageIds: [imageId],
      }),
    );
    const digest = answer.imageDetails?.[0]?.imageDigest;
    if (!digest)
      return {
        kind: "missing",
        message: `${formatImageRef(ref)}: ${wanted} not found in ECR repository ${location.repositoryName}`,
      };
    return { kind: "found", digest };
  } catch (error) {
    const name = error instanceof Error ? error.name : "";
    if (name === "ImageNotFoundException") {
      return {
        kind: "missing",
        message: `${formatImageRef(ref)}: ${wanted} was never pushed to ECR repository ${location.repositoryName}`,
      };
    }
    if (name === "RepositoryNotFoundException") {
      return {
        kind: "missing",
        message: `${formatImageRef(ref)}: ECR repository ${location.repositoryName} does not exist (registry ${location.registryId}, ${location.region})`,
      };
    }
    throw error;
  }
}
